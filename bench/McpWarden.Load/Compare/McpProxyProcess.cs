using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace McpWarden.Load.Compare;

/// <summary>
/// <c>node mcp-proxy.mjs --port P --host 127.0.0.1 -- dotnet mcpwarden-fixture.dll stdio</c>, every other option at its
/// default. mcp-proxy starts its one stdio server and initializes it before it listens, prints only "starting server
/// on port P" (before listening, and never the port it got for 0), so a free port is chosen here and the run waits
/// until the port accepts a connection.
/// </summary>
internal sealed class McpProxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private McpProxyProcess(Process process, StreamWriter log, Uri url)
    {
        _process = process;
        _log = log;
        Url = url;
    }

    public Uri Url { get; }

    public int Id => _process.Id;

    public static async Task<McpProxyProcess> StartAsync(string script, string fixtureDll, string logPath)
    {
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"mcp-proxy is not installed at {script} (npm ci --prefix tests/e2e installs it; {BenchPaths.McpProxyVariable} or --mcp-proxy name another copy)");
        }

        var port = FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--", "dotnet", fixtureDll, "stdio" })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        DataReceivedEventHandler write = (_, e) =>
        {
            lock (log)
            {
                if (e.Data is not null && log.BaseStream is not null)
                {
                    log.WriteLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += write;
        process.ErrorDataReceived += write;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var proxy = new McpProxyProcess(process, log, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/mcp"));
        var deadline = TimeProvider.System.GetTimestamp() + (long)(60 * TimeProvider.System.TimestampFrequency);
        while (TimeProvider.System.GetTimestamp() < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return proxy;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System).ConfigureAwait(false);
            }
        }

        await proxy.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"mcp-proxy did not listen on port {port} within 60 s; its log: {logPath}\n{BenchKit.ListeningProcess.Tail(logPath, 30)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    /// <summary>A port nobody listens on now (the kernel picks it); taken again by mcp-proxy a moment later.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
