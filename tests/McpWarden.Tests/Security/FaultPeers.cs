using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using McpWarden.Tests.Gateway;

namespace McpWarden.Tests.Security;

/// <summary>What one call came back with: the answer, what was sent before it, and how long it took.</summary>
internal sealed record FaultCallOutcome(JsonElement Answer, int Notifications, IReadOnlyList<string> Notices, TimeSpan Elapsed)
{
    public bool IsError => Answer.TryGetProperty("error", out _);

    public string ErrorMessage => Answer.GetProperty("error").GetProperty("message").GetString()!;

    public int ErrorCode => Answer.GetProperty("error").GetProperty("code").GetInt32();

    public string Text => Answer.TryGetProperty("result", out var result)
        ? result.GetProperty("content")[0].GetProperty("text").GetString()!
        : throw new InvalidOperationException("not a result: " + Answer.GetRawText());
}

/// <summary>
/// A client of the gateway under fault: it reads its streams line by line (a flood is counted, never kept),
/// and can stop reading for a while, as a slow client does.
/// </summary>
internal abstract class FaultClient : IAsyncDisposable
{
    /// <summary>Calls <paramref name="tool"/> of <paramref name="server"/>; <paramref name="whileNotReading"/> runs before the answer's stream is read at all.</summary>
    public abstract Task<FaultCallOutcome> CallAsync(string server, string tool, long id, Func<Task>? whileNotReading = null);

    /// <summary>The gateway process the client talks to.</summary>
    public abstract int GatewayProcessId { get; }

    public abstract ValueTask DisposeAsync();

    /// <summary>A gateway notice: a <c>notifications/message</c> the gateway itself sent (logger "mcpwarden").</summary>
    protected static string? NoticeOf(JsonElement message) =>
        message.TryGetProperty("method", out var method) && method.GetString() == "notifications/message"
        && message.GetProperty("params").TryGetProperty("logger", out var logger) && logger.GetString() == "mcpwarden"
            ? message.GetProperty("params").GetProperty("data").ToString()
            : null;

    /// <summary>The gateway's resident memory, from /proc.</summary>
    public static long ResidentBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>Sessions of <c>mcpwarden serve</c>, one per server, over raw Streamable HTTP.</summary>
internal sealed class HttpFaultClient(ServeGatewayProcess gateway) : FaultClient
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(120) };
    private readonly McpHttpExchange _mcp = new();
    private readonly Dictionary<string, string> _sessions = [];

    public override int GatewayProcessId => gateway.ProcessId;

    public override async Task<FaultCallOutcome> CallAsync(string server, string tool, long id, Func<Task>? whileNotReading = null)
    {
        var endpoint = gateway.Endpoint(server);
        if (!_sessions.TryGetValue(server, out var session))
        {
            session = await _mcp.InitializeAsync(endpoint);
            _sessions[server] = session;
        }

        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(McpHttpExchange.Call(id, tool), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.Add("Mcp-Session-Id", session);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (whileNotReading is not null)
        {
            await whileNotReading();
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return new FaultCallOutcome(JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone(), 0, [], clock.Elapsed);
        }

        var notifications = 0;
        var notices = new List<string>();
        JsonElement? answer = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line.Length == 6)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line[6..]);
            var message = document.RootElement;
            if (message.TryGetProperty("method", out _))
            {
                notifications++;
                if (NoticeOf(message) is { } notice)
                {
                    notices.Add(notice);
                }
            }
            else
            {
                answer = message.Clone();
            }
        }

        return new FaultCallOutcome(answer ?? throw new InvalidOperationException($"the stream of {tool} ended without an answer"), notifications, notices, clock.Elapsed);
    }

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        _mcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// One conversation with <c>mcpwarden stdio</c> on the aggregated endpoint (tools named <c>server__tool</c>):
/// answers are matched to calls by id, so calls can overlap, and reading can be paused.
/// </summary>
internal sealed class StdioFaultClient : FaultClient
{
    private readonly Process _process;
    private readonly Dictionary<string, TaskCompletionSource<(JsonElement Answer, int Notifications, List<string> Notices)>> _waiting = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Task _reading;
    private readonly List<string> _notices = [];
    private TaskCompletionSource _mayRead = NewOpenGate();
    private int _notifications;

    public StdioFaultClient(string configuration)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { EndToEnd.Gateway, "stdio", "--config", configuration })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _reading = Task.Run(ReadAsync);
    }

    public override int GatewayProcessId => _process.Id;

    public async Task InitializeAsync()
    {
        var answer = Expect("init");
        await SendAsync("""{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"faults","version":"1"}}}""");
        await answer.WaitAsync(TimeSpan.FromSeconds(60));
        await SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    }

    public override async Task<FaultCallOutcome> CallAsync(string server, string tool, long id, Func<Task>? whileNotReading = null)
    {
        var clock = Stopwatch.StartNew();
        int notificationsBefore, noticesBefore;
        lock (_gate)
        {
            (notificationsBefore, noticesBefore) = (_notifications, _notices.Count);
        }

        var answer = Expect(id.ToString(CultureInfo.InvariantCulture));
        if (whileNotReading is not null)
        {
            lock (_gate)
            {
                _mayRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        await SendAsync(McpHttpExchange.Call(id, server + "__" + tool));
        if (whileNotReading is not null)
        {
            await whileNotReading();
            lock (_gate)
            {
                _mayRead.TrySetResult();
            }
        }

        // What the conversation carried from this call's start to its answer (a bystander's call may overlap).
        var (message, notifications, notices) = await answer.WaitAsync(TimeSpan.FromSeconds(120));
        return new FaultCallOutcome(message, notifications - notificationsBefore, notices.Skip(noticesBefore).ToList(), clock.Elapsed);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        _writeGate.Dispose();
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private Task<(JsonElement Answer, int Notifications, List<string> Notices)> Expect(string id)
    {
        var answer = new TaskCompletionSource<(JsonElement, int, List<string>)>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiting[id] = answer;
        }

        return answer.Task;
    }

    private async Task SendAsync(string line)
    {
        await _writeGate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task ReadAsync()
    {
        while (true)
        {
            Task mayRead;
            lock (_gate)
            {
                mayRead = _mayRead.Task;
            }

            await mayRead;
            var line = await _process.StandardOutput.ReadLineAsync();
            if (line is null)
            {
                lock (_gate)
                {
                    foreach (var waiting in _waiting.Values)
                    {
                        waiting.TrySetException(new InvalidOperationException("the gateway closed its output"));
                    }
                }

                return;
            }

            using var document = JsonDocument.Parse(line);
            var message = document.RootElement;
            lock (_gate)
            {
                if (message.TryGetProperty("method", out _))
                {
                    _notifications++;
                    if (NoticeOf(message) is { } notice)
                    {
                        _notices.Add(notice);
                    }
                }
                else if (message.TryGetProperty("id", out var id) && _waiting.Remove(id.ToString(), out var waiting))
                {
                    waiting.TrySetResult((message.Clone(), _notifications, [.. _notices]));
                }
            }
        }
    }
}
