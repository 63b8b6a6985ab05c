using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// Upstream servers that fail in every way a process can: crash mid-call, hang, flood the client with
/// notifications, or break the protocol (answers to ids never sent, answers twice, garbage, invalid UTF-8, a
/// 10 MB line). On both fronts, the caller the fault hits gets a clear error within its timeout, another
/// conversation keeps being answered, and the gateway's memory stays bounded.
/// </summary>
[Trait("Security", "faults")]
public sealed class FaultUpstreamTests : IDisposable
{
    /// <summary>The servers' <c>timeout</c>, short so a hang is noticed quickly.</summary>
    private const int TimeoutSeconds = 5;

    private const string Policy = """{ "version": "1", "default": "deny", "tools": { "ok": {}, "hang": {}, "crash": {}, "flood": {}, "rogue": {} } }""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-faults-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Marker => Path.Combine(_directory, "cancelled-marker");

    private string FloodDone => Path.Combine(_directory, "flood-done");

    private string RogueRecord => Path.Combine(_directory, "rogue-record.jsonl");

    public static TheoryData<string> Fronts => ["http", "stdio"];

    [Theory]
    [MemberData(nameof(Fronts))]
    public async Task UpstreamCrashMidCall_AnswersThatCallAtOnce_OthersKeepWorking_AndTheServerComesBack(string front)
    {
        await using var gateway = await FaultGateway.StartAsync(front, Configuration());
        await gateway.Affected.CallAsync("faulty", "ok", 1);

        var crash = gateway.Affected.CallAsync("faulty", "crash", 2);
        var bystander = await gateway.Bystander.CallAsync(gateway.BystanderFor("faulty"), "ok", 3);
        Assert.Equal("ok", bystander.Text);

        var crashed = await crash;
        Assert.True(crashed.IsError, crashed.Answer.GetRawText());
        Assert.Contains("the server faulty closed its connection before answering", crashed.ErrorMessage, StringComparison.Ordinal);
        // Answered when the process died, not when the timeout ran out.
        Assert.True(crashed.Elapsed < TimeSpan.FromSeconds(TimeoutSeconds), $"the crash was answered after {crashed.Elapsed}");

        // The gateway restarts the server for the session: refused clearly meanwhile, then serving again.
        await AnsweredOkWithinAsync(gateway.Affected, "faulty", firstId: 10, TimeSpan.FromSeconds(20));
        Assert.Equal("ok", (await gateway.Bystander.CallAsync(gateway.BystanderFor("faulty"), "ok", 100)).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts))]
    public async Task UpstreamHang_IsAnsweredWithATimeoutError_AndTheServerIsToldToCancel(string front)
    {
        await using var gateway = await FaultGateway.StartAsync(front, Configuration());
        await gateway.Affected.CallAsync("faulty", "ok", 1);
        await gateway.Bystander.CallAsync(gateway.BystanderFor("faulty"), "ok", 2);

        var hang = gateway.Affected.CallAsync("faulty", "hang", 3);
        var bystander = await gateway.Bystander.CallAsync(gateway.BystanderFor("faulty"), "ok", 4);
        Assert.Equal("ok", bystander.Text);
        Assert.False(hang.IsCompleted, "the hanging call was answered before the bystander's");

        var hung = await hang;
        Assert.Equal(-32001, hung.ErrorCode);
        Assert.Equal($"the server faulty did not answer tools/call within {TimeoutSeconds}s", hung.ErrorMessage);
        Assert.InRange(hung.Elapsed, TimeSpan.FromSeconds(TimeoutSeconds - 0.5), TimeSpan.FromSeconds(TimeoutSeconds + 5));

        // From the server's side: it was told the call is cancelled, so it can stop working on it.
        await WaitForAsync(() => File.Exists(Marker), TimeSpan.FromSeconds(10), "the server never heard that the hanging call was cancelled");
        Assert.Equal("ok", (await gateway.Affected.CallAsync("faulty", "ok", 5)).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts))]
    public async Task UpstreamFlood_ReachesAClientThatReads_WithBoundedMemory(string front)
    {
        const int Count = 20_000;
        await using var gateway = await FaultGateway.StartAsync(front, Configuration(floodCount: Count));
        await gateway.Affected.CallAsync("flooder", "ok", 1);
        var before = FaultClient.ResidentBytes(gateway.ProcessId);
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = SampleAsync(gateway.ProcessId, value => peak = Math.Max(peak, value), sampling.Token);

        var flood = gateway.Affected.CallAsync("flooder", "flood", 2);
        var bystander = await gateway.Bystander.CallAsync(gateway.BystanderFor("flooder"), "ok", 3);
        var flooded = await flood;
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal("ok", bystander.Text);
        Assert.Equal($"flooded {Count}", flooded.Text);
        // Every notification reached the client or was counted in a notice (a client slower than the flood falls behind at times).
        Assert.Equal(Count, flooded.Notifications - flooded.Notices.Count + Dropped(flooded));
        Assert.True(flooded.Notifications - flooded.Notices.Count > Count / 2, $"only {flooded.Notifications} of {Count} notifications reached a client that reads");
        TestContext.Current.SendDiagnosticMessage($"flood over {front}: {Count} notifications of 1 kB in {flooded.Elapsed}, resident {before >> 20} MB before, {peak >> 20} MB at most");
        Assert.True(peak - before < FloodMemoryBound, $"resident memory grew by {(peak - before) >> 20} MB while {Count / 1000} MB of notifications passed");
    }

    /// <summary>What a flood or a slow client may add to the gateway's resident memory.</summary>
    private const long FloodMemoryBound = 48L << 20;

    [Theory]
    [MemberData(nameof(Fronts))]
    public async Task ClientThatReadsSlowly_DuringAFlood_IsToldWhatWasDropped_AndMemoryStaysBounded(string front)
    {
        const int Count = 80_000;
        await using var gateway = await FaultGateway.StartAsync(front, Configuration(floodCount: Count));
        await gateway.Affected.CallAsync("flooder", "ok", 1);
        await gateway.Bystander.CallAsync(gateway.BystanderFor("flooder"), "ok", 2);
        var before = FaultClient.ResidentBytes(gateway.ProcessId);
        long whileStalled = 0;
        FaultCallOutcome? bystanderMeanwhile = null;

        var flooded = await gateway.Affected.CallAsync("flooder", "flood", 3, whileNotReading: async () =>
        {
            // The server sends everything (80 MB) while this client reads nothing.
            await WaitForAsync(() => File.Exists(FloodDone), TimeSpan.FromSeconds(90), "the server never finished its flood");
            await Task.Delay(500);
            whileStalled = FaultClient.ResidentBytes(gateway.ProcessId);
            if (front == "http")
            {
                bystanderMeanwhile = await gateway.Bystander.CallAsync(gateway.BystanderFor("flooder"), "ok", 4);
            }
        });

        TestContext.Current.SendDiagnosticMessage($"slow reader over {front}: {flooded.Notifications} of {Count} notifications delivered; resident {before >> 20} MB before, {whileStalled >> 20} MB with the client stalled; notices: {string.Join(" | ", flooded.Notices)}");
        Assert.True(whileStalled - before < FloodMemoryBound, $"resident memory grew by {(whileStalled - before) >> 20} MB while the client read nothing of {Count / 1000} MB");
        Assert.Equal($"flooded {Count}", flooded.Text);
        Assert.True(flooded.Notifications < Count / 10, $"{flooded.Notifications} notifications were kept for a client that read nothing");
        Assert.Equal(Count, flooded.Notifications - flooded.Notices.Count + Dropped(flooded));
        Assert.All(flooded.Notices, n => Assert.Contains("the client was not reading it fast enough", n, StringComparison.Ordinal));
        if (bystanderMeanwhile is not null)
        {
            Assert.Equal("ok", bystanderMeanwhile.Text);
        }

        Assert.Equal("ok", (await gateway.Affected.CallAsync("flooder", "ok", 5)).Text);
    }

    [Theory]
    [MemberData(nameof(Fronts))]
    public async Task RogueServer_StrayAndDuplicateAnswersGarbageAndAHugeLine_NeverReachTheCaller(string front)
    {
        await using var gateway = await FaultGateway.StartAsync(front, Configuration());
        await gateway.Affected.CallAsync("rogue", "ok", 1);

        // The client's id is the id the rogue server answers without being asked: ids are the gateway's own upstream.
        var rogue = await gateway.Affected.CallAsync("rogue", "rogue", 987654321);
        Assert.Equal("answered after the rogue lines", rogue.Text);
        Assert.Equal("ok", (await gateway.Bystander.CallAsync(gateway.BystanderFor("rogue"), "ok", 2)).Text);

        // The second answer to the same request went nowhere: the next call gets its own answer.
        var next = await gateway.Affected.CallAsync("rogue", "ok", 3);
        Assert.Equal("ok", next.Text);

        // From the server's side: it was sent the call under an id of the gateway's, not the client's.
        var calls = File.ReadAllLines(RogueRecord).Select(l => JsonDocument.Parse(l).RootElement).Where(m => m.TryGetProperty("method", out var method) && method.GetString() == "tools/call").ToList();
        Assert.Single(calls, c => c.GetProperty("params").GetProperty("name").GetString() == "rogue");
        Assert.DoesNotContain(calls, c => c.GetProperty("id").ToString() == "987654321");
    }

    /// <summary>How many messages the gateway's notices say it dropped.</summary>
    private static long Dropped(FaultCallOutcome outcome) =>
        outcome.Notices.Sum(n => long.Parse(Regex.Match(n, "^the gateway dropped ([0-9]+) ").Groups[1].Value, CultureInfo.InvariantCulture));

    /// <summary>Calls ok until it is answered; until then every answer must say the server is restarting.</summary>
    private static async Task AnsweredOkWithinAsync(FaultClient client, string server, long firstId, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        for (var id = firstId; ; id++)
        {
            var again = await client.CallAsync(server, "ok", id);
            if (!again.IsError)
            {
                Assert.Equal("ok", again.Text);
                return;
            }

            Assert.Contains($"the server {server} is restarting; retry in", again.ErrorMessage, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < within, $"the server was not back within {within}");
            await Task.Delay(200);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan within, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < within, failure);
            await Task.Delay(50);
        }
    }

    private static async Task SampleAsync(int processId, Action<long> seen, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            seen(FaultClient.ResidentBytes(processId));
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private string Configuration(int floodCount = 1000)
    {
        var path = Path.Combine(_directory, "mcpwarden.json");
        var script = (string name) => JsonSerializer.Serialize(Path.Combine(EndToEnd.Directory, name));
        File.WriteAllText(path, $$"""
            { "mcpServers": {
                "faulty": { "command": "node", "args": [{{script("faulty-server.mjs")}}], "timeout": {{TimeoutSeconds}},
                            "env": { "MARKER_FILE": {{JsonSerializer.Serialize(Marker)}} }, "policy": {{Policy}} },
                "flooder": { "command": "node", "args": [{{script("faulty-server.mjs")}}], "timeout": 120,
                             "env": { "FLOOD_COUNT": "{{floodCount}}", "FLOOD_BYTES": "1000", "FLOOD_DONE_FILE": {{JsonSerializer.Serialize(FloodDone)}} },
                             "policy": {{Policy}} },
                "rogue":  { "command": "node", "args": [{{script("rogue-server.mjs")}}], "timeout": {{TimeoutSeconds}},
                            "env": { "RECORD_FILE": {{JsonSerializer.Serialize(RogueRecord)}} },
                            "policy": {{Policy}} } },
              "store": { "path": "state.db" } }
            """);
        return path;
    }
}

/// <summary>
/// The gateway on one front, with the client a fault hits and a bystander. Over HTTP the bystander is
/// another session of the same server (its own process); over stdio, where one process serves one
/// conversation, it is the other server of the same conversation, called while the fault is under way.
/// </summary>
internal sealed class FaultGateway : IAsyncDisposable
{
    private readonly ServeGatewayProcess? _serve;

    private FaultGateway(ServeGatewayProcess? serve, FaultClient affected, FaultClient bystander)
    {
        _serve = serve;
        Affected = affected;
        Bystander = bystander;
    }

    public FaultClient Affected { get; }

    public FaultClient Bystander { get; }

    /// <summary>The server the bystander calls while the fault hits <paramref name="affected"/>.</summary>
    public string BystanderFor(string affected) => _serve is not null ? affected : affected == "rogue" ? "faulty" : "rogue";

    public int ProcessId => Affected.GatewayProcessId;

    public static async Task<FaultGateway> StartAsync(string front, string configuration)
    {
        if (front == "http")
        {
            var serve = await ServeGatewayProcess.StartAsync(configuration);
            return new FaultGateway(serve, new HttpFaultClient(serve), new HttpFaultClient(serve));
        }

        var stdio = new StdioFaultClient(configuration);
        await stdio.InitializeAsync();
        return new FaultGateway(null, stdio, stdio);
    }

    public async ValueTask DisposeAsync()
    {
        await Affected.DisposeAsync();
        if (!ReferenceEquals(Affected, Bystander))
        {
            await Bystander.DisposeAsync();
        }

        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }
    }
}
