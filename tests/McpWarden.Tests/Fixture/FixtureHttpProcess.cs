using System.Diagnostics;
using System.Text;
using McpWarden.Tests.Gateway;

namespace McpWarden.Tests.Fixture;

/// <summary>
/// The fixture MCP server as a real process in HTTP mode, on a free loopback port; its URL is read from the
/// one line it prints on standard output.
/// </summary>
internal sealed class FixtureHttpProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _errors;

    private FixtureHttpProcess(Process process, StringBuilder errors, Uri url)
    {
        _process = process;
        _errors = errors;
        Url = url;
    }

    /// <summary>The MCP endpoint, e.g. <c>http://127.0.0.1:40123/mcp</c>.</summary>
    public Uri Url { get; }

    /// <summary>What the fixture has logged so far (standard error), for failure messages.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <param name="environment">Variables for the fixture, such as <c>FIXTURE_CALL_LOG</c>.</param>
    public static async Task<FixtureHttpProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { EndToEnd.Fixture, "http", "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, line) =>
        {
            lock (errors)
            {
                errors.AppendLine(line.Data);
            }
        };
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("listening on ", StringComparison.Ordinal))
                {
                    return new FixtureHttpProcess(process, errors, new Uri(line["listening on ".Length..]));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with what the fixture said.
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        string said;
        lock (errors)
        {
            said = errors.ToString();
        }

        process.Dispose();
        throw new InvalidOperationException($"mcpwarden-fixture did not report a listening URL within {StartTimeout.TotalSeconds} s:\n{said}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}
