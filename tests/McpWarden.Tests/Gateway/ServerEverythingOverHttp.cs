using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace McpWarden.Tests.Gateway;

/// <summary>server-everything serving Streamable HTTP or legacy HTTP+SSE on a free port, as an HTTP upstream.</summary>
internal sealed class ServerEverythingOverHttp : IAsyncDisposable
{
    private readonly Process _process;

    private ServerEverythingOverHttp(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Starts it in <paramref name="mode"/>, <c>streamableHttp</c> (served at /mcp) or <c>sse</c> (its stream at /sse, messages to /message).</summary>
    public static async Task<ServerEverythingOverHttp> StartAsync(string mode = "streamableHttp")
    {
        var path = mode switch
        {
            "streamableHttp" => "/mcp",
            "sse" => "/sse",
            _ => throw new ArgumentException($"server-everything serves no HTTP mode {mode}", nameof(mode)),
        };
        var port = FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(EndToEnd.ServerEverything);
        start.ArgumentList.Add(mode);
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // It is up once it accepts connections.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new ServerEverythingOverHttp(process, new Uri($"http://127.0.0.1:{port}{path}"));
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"server-everything did not start listening on port {port}");
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
