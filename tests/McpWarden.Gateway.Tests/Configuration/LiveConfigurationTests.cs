using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Diagnostics;
using Xunit;

namespace McpWarden.Gateway.Tests.Configuration;

public sealed class LiveConfigurationTests : IDisposable
{
    private const string AllowOk = """{"version":"1","default":"deny","tools":{"ok":{}}}""";
    private const string DenyAll = """{"version":"1","default":"deny"}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-live-").FullName;
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ConfigurationPath => Path.Combine(_directory, "mcpwarden.json");

    /// <summary>Writes the configuration (server entries, then optional top-level fields) and loads it.</summary>
    private ConfigurationLoadResult Load(string servers, string extra = "")
    {
        File.WriteAllText(ConfigurationPath, "{ \"mcpServers\": { " + servers + " }" + (extra.Length > 0 ? ", " + extra : string.Empty) + " }");
        return ConfigurationLoader.LoadFile(ConfigurationPath, _ => null);
    }

    private static string Server(string name, string policy, string command = "server-a") =>
        $$"""  "{{name}}": { "command": "{{command}}", "policy": {{policy}} }""";

    private void WritePolicy(string name, string json) => File.WriteAllText(Path.Combine(_directory, name), json);

    private LiveConfiguration Start(ConfigurationLoadResult loaded)
    {
        Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));
        return new LiveConfiguration(loaded, _clock);
    }

    [Fact]
    public void Constructor_FirstLoad_IsRevisionOneInForce()
    {
        var live = Start(Load(Server("a", AllowOk)));

        Assert.Equal((1, false, ManualTimeProvider.TestEpoch), (live.Status.Revision, live.Status.Refused, live.Status.LoadedAt));
        var policy = Assert.Single(live.Status.Servers);
        Assert.Equal(("a", live.Current.Servers[0].Policy.Revision), (policy.Name, policy.PolicyRevision));
        Assert.Same(live.Current.Servers[0], live.Server("a"));
        Assert.Null(live.Server("b"));
    }

    [Fact]
    public void Apply_AChangedPolicy_IsSwappedInAndOnlyThatServerIsUpdated()
    {
        var live = Start(Load(Server("a", AllowOk) + "," + Server("b", AllowOk, "server-b")));
        var before = live.Current;
        _clock.Advance(TimeSpan.FromMinutes(1));

        var change = live.Apply(Load(Server("a", DenyAll) + "," + Server("b", AllowOk, "server-b")));

        Assert.True(change.Accepted);
        Assert.Equal(2, change.Revision);
        Assert.Equal(["a"], change.Updated);
        Assert.Empty(change.Closed);
        Assert.NotSame(before, live.Current);
        Assert.NotEqual(before.Servers[0].Policy.Revision, live.Server("a")!.Policy.Revision);
        // An unchanged upstream keeps its instance: sessions on it know they still reach what is configured.
        Assert.Same(before.Servers[0].Upstream, live.Server("a")!.Upstream);
        Assert.Same(before.Servers[1].Upstream, live.Server("b")!.Upstream);
        Assert.Equal(ManualTimeProvider.TestEpoch.AddMinutes(1), live.Status.Servers.Single(s => s.Name == "a").Since);
        Assert.Equal(ManualTimeProvider.TestEpoch, live.Status.Servers.Single(s => s.Name == "b").Since);
    }

    [Fact]
    public void Apply_ALoadWithErrors_IsRefusedAndTheLastGoodConfigurationStays()
    {
        var live = Start(Load(Server("a", AllowOk)));
        var good = live.Current;
        _clock.Advance(TimeSpan.FromSeconds(5));

        var change = live.Apply(Load(Server("a", """{"version":"1","default":"maybe"}""")));

        Assert.False(change.Accepted);
        Assert.Equal(1, change.Revision);
        Assert.Same(good, live.Current);
        Assert.True(live.Status.Refused);
        Assert.Equal((ManualTimeProvider.TestEpoch, ManualTimeProvider.TestEpoch.AddSeconds(5)), (live.Status.LoadedAt, live.Status.CheckedAt));
        Assert.Contains(live.Status.Diagnostics, d => d.IsError && d.Path == "/mcpServers/a/policy/default");
        Assert.Equal(change.Diagnostics, live.Status.Diagnostics);
    }

    [Fact]
    public void Apply_AGoodLoadAfterARefusedOne_ClearsTheRefusal()
    {
        var live = Start(Load(Server("a", AllowOk)));
        live.Apply(Load(Server("a", "42")));

        var change = live.Apply(Load(Server("a", DenyAll)));

        Assert.True(change.Accepted);
        Assert.Equal((2, false), (live.Status.Revision, live.Status.Refused));
        Assert.DoesNotContain(live.Status.Diagnostics, d => d.IsError);
    }

    [Fact]
    public void Apply_ServersAddedRemovedAndMoved_AreToldApartFromTheUntouched()
    {
        var live = Start(Load(Server("kept", AllowOk) + "," + Server("gone", AllowOk) + "," + Server("moved", AllowOk, "old-command")));
        var kept = live.Server("kept")!;

        var change = live.Apply(Load(Server("kept", AllowOk) + "," + Server("moved", AllowOk, "new-command") + "," + Server("new", AllowOk)));

        Assert.Equal(["new"], change.Added);
        Assert.Equal(["gone"], change.Removed);
        Assert.Equal(["moved"], change.Replaced);
        Assert.Empty(change.Updated);
        Assert.Equal(["gone", "moved"], change.Closed);
        Assert.Null(live.Server("gone"));
        Assert.Equal("new-command", ((StdioUpstreamDefinition)live.Server("moved")!.Upstream).Command);
        Assert.Same(kept.Upstream, live.Server("kept")!.Upstream);
    }

    [Fact]
    public void Apply_SettingsThatNeedARestart_KeepTheRunningValuesAndAreNamed()
    {
        var live = Start(Load(Server("a", AllowOk)));
        var running = live.Current;

        var change = live.Apply(Load(Server("a", AllowOk), """ "maxMessageBytes": 2048, "store": { "path": "other.db" }, "audit": { "recordArguments": true } """));

        Assert.True(change.Accepted);
        Assert.Equal(["maxMessageBytes", "store", "audit"], change.NotApplied);
        Assert.Equal(["maxMessageBytes", "store", "audit"], live.Status.NotApplied);
        Assert.Equal((running.MaxMessageBytes, running.Store, running.Audit), (live.Current.MaxMessageBytes, live.Current.Store, live.Current.Audit));
    }

    [Fact]
    public void Apply_TelemetryExportChanged_IsNotAppliedUntilARestart_ButTheMetricsTokenIsAtOnce()
    {
        var servers = Server("a", AllowOk);
        var first = new string('a', 64);
        var second = new string('b', 64);
        var live = Start(Load(servers, $$""" "telemetry": { "otlp": { "endpoint": "http://collector:4318" }, "metrics": { "tokenSha256": "{{first}}" } } """));
        var running = live.Current.Telemetry;

        var tokenOnly = live.Apply(Load(servers, $$""" "telemetry": { "otlp": { "endpoint": "http://collector:4318" }, "metrics": { "tokenSha256": "{{second}}" } } """));
        Assert.Empty(tokenOnly.NotApplied);
        Assert.Equal(Convert.FromHexString(second), live.Current.Telemetry.MetricsTokenSha256);

        var moved = live.Apply(Load(servers, $$""" "telemetry": { "otlp": { "endpoint": "http://elsewhere:4318" }, "metrics": { "tokenSha256": "{{second}}" } } """));
        Assert.Equal(["telemetry"], moved.NotApplied);
        Assert.Equal(running.Otlp!.Endpoint, live.Current.Telemetry.Otlp!.Endpoint);
    }

    [Fact]
    public void Apply_GrantsAddedOrChanged_AreReported()
    {
        var servers = Server("a", AllowOk);
        var live = Start(Load(servers));
        var key = new string('a', 64);

        var added = live.Apply(Load(servers, $$""" "grants": { "g": { "keySha256": "{{key}}" } } """));
        var same = live.Apply(Load(servers, $$""" "grants": { "g": { "keySha256": "{{key}}" } } """));
        var narrowed = live.Apply(Load(servers, $$""" "grants": { "g": { "keySha256": "{{key}}", "servers": ["a"] } } """));

        Assert.Equal((true, false, true), (added.GrantsChanged, same.GrantsChanged, narrowed.GrantsChanged));
        Assert.False(same.ChangedAnything);
        Assert.Equal(["a"], live.Current.Grants.Single().Servers);
    }

    [Fact]
    public void LoadFile_PolicyFiles_AreListedEvenWhenMissing()
    {
        WritePolicy("a.json", AllowOk);

        var loaded = Load(Server("a", "\"a.json\"") + "," + Server("b", "\"missing.json\""));

        Assert.False(loaded.Succeeded);
        Assert.Equal([ConfigurationPath, Path.Combine(_directory, "a.json"), Path.Combine(_directory, "missing.json")], loaded.Files);
        Assert.Contains(loaded.Diagnostics, d => d.Code == DiagnosticCodes.UnreadableFile);
    }

    [Fact]
    public void Apply_AnEditedPolicyFile_ChangesTheRevisionOnlyWhenTheContentChanges()
    {
        WritePolicy("a.json", AllowOk);
        var live = Start(Load(Server("a", "\"a.json\"")));
        var first = live.Server("a")!.Policy.Revision;

        // Reformatting is not a change of policy.
        WritePolicy("a.json", "{ \"tools\": { \"ok\": { } },\n  \"default\": \"deny\", \"version\": \"1\" }");
        var reformatted = live.Apply(ConfigurationLoader.LoadFile(ConfigurationPath, _ => null));
        WritePolicy("a.json", DenyAll);
        var changed = live.Apply(ConfigurationLoader.LoadFile(ConfigurationPath, _ => null));

        Assert.Empty(reformatted.Updated);
        Assert.Equal(["a"], changed.Updated);
        Assert.NotEqual(first, live.Server("a")!.Policy.Revision);
    }
}
