using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpWarden.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence, stopped by its pid. It can be stopped
/// and started again on the same port, to show a store failing closed and then recovering. The test command
/// installs Debian's redis-server when it is missing; <c>MCPWARDEN_REDIS_SERVER</c> names another binary.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string[] _extraArguments;
    private readonly string? _tlsCertificateFile;
    private Process? _process;

    private RedisServer(int port, string[] extraArguments, string? tlsCertificateFile)
    {
        Port = port;
        _extraArguments = extraArguments;
        _tlsCertificateFile = tlsCertificateFile;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as a configuration's <c>store.redis</c> names it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The running server's pid, or null while stopped.</summary>
    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    public static string Binary => Environment.GetEnvironmentVariable("MCPWARDEN_REDIS_SERVER") is { Length: > 0 } configured
        ? configured
        : "/usr/bin/redis-server";

    /// <summary>Starts a server on a free port; <paramref name="extraArguments"/> are added to its command line (<c>--requirepass</c>, say).</summary>
    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"redis-server is not at {Binary}: run the tests through scripts/test.sh, which installs it, or set MCPWARDEN_REDIS_SERVER");
        }

        var server = new RedisServer(FreePort(), extraArguments, tlsCertificateFile: null);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts a server that speaks only TLS on its port, with the given PEM certificate and key (clients need no certificate).</summary>
    public static async Task<RedisServer> StartTlsAsync(string certificateFile, string keyFile)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"redis-server is not at {Binary}: run the tests through scripts/test.sh, which installs it, or set MCPWARDEN_REDIS_SERVER");
        }

        var server = new RedisServer(FreePort(), ["--tls-cert-file", certificateFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no"], certificateFile);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        if (Pid is not null)
        {
            throw new InvalidOperationException("the server is running");
        }

        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var arguments = new List<string> { "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning" };
        arguments.AddRange(_tlsCertificateFile is null ? ["--port", port] : ["--port", "0", "--tls-port", port]);
        arguments.AddRange(_extraArguments);
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        try
        {
            var waiting = Stopwatch.StartNew();
            while (!await AnswersPingAsync())
            {
                if (_process.HasExited || waiting.Elapsed > StartTimeout)
                {
                    throw new InvalidOperationException($"redis-server on port {Port} did not answer PING (exit code {(_process.HasExited ? _process.ExitCode : "none")})");
                }

                await Task.Delay(50);
            }
        }
        catch
        {
            // Nobody holds a server that failed to start: stop it here, or it outlives the test run.
            await StopAsync();
            throw;
        }
    }

    /// <summary>Kills the server by its pid and waits until it is gone (its data goes with it: there is no persistence).</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            Stream stream = client.GetStream();
            if (_tlsCertificateFile is not null)
            {
                // Whether it answers is all that matters here: the certificate it must present is the one it was given.
                var pem = await File.ReadAllTextAsync(_tlsCertificateFile);
                var fields = System.Security.Cryptography.PemEncoding.Find(pem);
                using var expected = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[fields.Base64Data]));
                var secure = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false, (_, presented, _, _) => presented is not null && presented.GetCertHashString() == expected.Thumbprint);
                await secure.AuthenticateAsClientAsync("localhost");
                stream = secure;
            }

            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            // A server with a password answers -NOAUTH: it is up all the same.
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) || answer.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException or System.Security.Authentication.AuthenticationException)
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
