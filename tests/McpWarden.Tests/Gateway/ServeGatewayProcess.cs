using System.Diagnostics;
using System.Text;

namespace McpWarden.Tests.Gateway;

/// <summary>The real <c>mcpwarden serve</c> process on a free loopback port.</summary>
internal sealed class ServeGatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServeGatewayProcess(Process process, Uri baseUrl, string configuration)
    {
        _process = process;
        BaseUrl = baseUrl;
        ConfigurationPath = configuration;
    }

    /// <summary>The configuration file it was started with.</summary>
    public string ConfigurationPath { get; }

    /// <summary>Where the gateway listens, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The endpoint of one server, or with no name the aggregated one.</summary>
    public Uri Endpoint(string? server = null) => new(BaseUrl, server is null ? "/mcp" : "/mcp/" + server);

    /// <summary>What the gateway has logged so far.</summary>
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

    public int ProcessId => _process.Id;

    /// <summary>Waits for the gateway to log <paramref name="text"/> (<see cref="LogWait"/>).</summary>
    public Task WaitForLogAsync(string text) => LogWait.UntilAsync(() => Log, text);

    /// <param name="environment">Variables for the gateway on top of the test's own (OTEL_*, secrets a configuration names).</param>
    /// <param name="underNohup">Starts it through <c>nohup</c>, so it begins with SIGHUP ignored.</param>
    /// <param name="workingDirectory">Where it runs; none: the test's own.</param>
    public static async Task<ServeGatewayProcess> StartAsync(string configuration, string urls = "http://127.0.0.1:0", IReadOnlyDictionary<string, string>? environment = null, bool underNohup = false, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(underNohup ? "nohup" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        foreach (var argument in (underNohup ? ["dotnet"] : Array.Empty<string>()).Concat([EndToEnd.Gateway, "serve", "--config", configuration, "--urls", urls]))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("listening on ", StringComparison.Ordinal))
        {
            var error = await process.StandardError.ReadToEndAsync(timeout.Token);
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"mcpwarden serve did not start: {line}\n{error}");
        }

        var gateway = new ServeGatewayProcess(process, new Uri(line["listening on ".Length..]), configuration);
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

    /// <summary>Asks the gateway to stop as a service manager would (SIGTERM) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(CancellationToken.None);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the gateway with SIGKILL, as a crash or the OOM killer would: nothing gets to run on the way out.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync(CancellationToken.None);
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
