using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace McpWarden.Tests.Gateway;

/// <summary>The real <c>mcpwarden stdio</c> process, driven line by line as a client would.</summary>
internal sealed class StdioGatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _unclaimed = [];
    private readonly CancellationTokenSource _timeout;
    private readonly StringBuilder _log = new();

    private StdioGatewayProcess(Process process, TimeSpan lifetime)
    {
        _process = process;
        _timeout = new CancellationTokenSource(lifetime);
    }

    /// <summary>What the gateway has logged on standard error so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Waits for the gateway to log <paramref name="text"/> (<see cref="LogWait"/>).</summary>
    public Task WaitForLogAsync(string text) => LogWait.UntilAsync(() => Log, text);

    public bool HasExited => _process.HasExited;

    /// <param name="arguments">More arguments for <c>mcpwarden stdio</c>, such as <c>--grant NAME</c>.</param>
    /// <param name="lifetime">How long the conversation may last in all before a wait gives up (1 minute unless said).</param>
    public static StdioGatewayProcess Start(string configuration, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? arguments = null, TimeSpan? lifetime = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { EndToEnd.Gateway, "stdio", "--config", configuration }.Concat(arguments ?? []))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var gateway = new StdioGatewayProcess(process, lifetime ?? TimeSpan.FromMinutes(1));
        process.ErrorDataReceived += (_, e) =>
        {
            lock (gateway._log)
            {
                gateway._log.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>Writes raw bytes (which need not be UTF-8, nor JSON) and a newline, as one line of input.</summary>
    public async Task SendBytesAsync(byte[] line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        await _process.StandardInput.FlushAsync(cancellationToken);
        var stream = _process.StandardInput.BaseStream;
        await stream.WriteAsync(line, cancellationToken);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next line the gateway writes, as text, or null once it has closed its output; gives up after <paramref name="timeout"/>.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        return await _process.StandardOutput.ReadLineAsync(deadline.Token);
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync(_timeout.Token);
    }

    /// <summary>Initializes the session as a client with no capabilities.</summary>
    public async Task InitializeAsync()
    {
        await SendAsync("""{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}""");
        await AnswerToAsync("init");
        await SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    }

    /// <summary>The next message the gateway writes.</summary>
    public async Task<JsonElement> NextAsync()
    {
        if (_unclaimed.Count > 0)
        {
            var first = _unclaimed[0];
            _unclaimed.RemoveAt(0);
            return first;
        }

        var line = await _process.StandardOutput.ReadLineAsync(_timeout.Token) ?? throw new InvalidOperationException("the gateway closed its output");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>The answer to the request with <paramref name="id"/>; other messages are kept for later.</summary>
    public async Task<JsonElement> AnswerToAsync(object id)
    {
        var wanted = JsonSerializer.SerializeToElement(id).GetRawText();
        for (var i = 0; i < _unclaimed.Count; i++)
        {
            if (_unclaimed[i].TryGetProperty("id", out var seen) && seen.GetRawText() == wanted)
            {
                var found = _unclaimed[i];
                _unclaimed.RemoveAt(i);
                return found;
            }
        }

        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(_timeout.Token) ?? throw new InvalidOperationException($"the gateway closed its output before answering {wanted}");
            using var document = JsonDocument.Parse(line);
            var message = document.RootElement.Clone();
            if (message.TryGetProperty("id", out var seen) && seen.GetRawText() == wanted && !message.TryGetProperty("method", out _))
            {
                return message;
            }

            _unclaimed.Add(message);
        }
    }

    /// <summary>Closes the client's side and waits for the gateway to exit; returns its exit code.</summary>
    public async Task<int> CloseAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync(_timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        _timeout.Dispose();
    }
}
