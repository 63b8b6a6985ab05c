using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpWarden.Load.Counters;

/// <summary>
/// A real <c>redis-server</c> for one run, as the tests start theirs: loopback, a free port, no persistence; stopped
/// by its pid. <c>MCPWARDEN_REDIS_SERVER</c> names another binary.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Id => _process.Id;

    public static string Binary => Environment.GetEnvironmentVariable("MCPWARDEN_REDIS_SERVER") is { Length: > 0 } configured ? configured : "/usr/bin/redis-server";

    public static async Task<RedisProcess> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"redis-server is not at {Binary}; set MCPWARDEN_REDIS_SERVER or leave redis out with --stores memory,sqlite");
        }

        var port = FreePort();
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--loglevel", "warning" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RedisProcess(process, port);
        var time = TimeProvider.System;
        var began = time.GetTimestamp();
        while (!await redis.AnswersPingAsync().ConfigureAwait(false))
        {
            if (process.HasExited || time.GetElapsedTime(began) > TimeSpan.FromSeconds(20))
            {
                await redis.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"redis-server on port {port} did not answer PING");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return redis;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray()).ConfigureAwait(false);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
