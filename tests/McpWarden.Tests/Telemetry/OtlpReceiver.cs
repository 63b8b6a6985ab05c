using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpWarden.Tests.Telemetry;

/// <summary>
/// A tiny OTLP/HTTP collector on a free loopback port: it accepts POST <c>/v1/traces</c> and <c>/v1/metrics</c>,
/// answers 200, and keeps each body with its headers. Protobuf carries strings as raw UTF-8, so a test can look for a
/// tool name or an attribute in the bytes without decoding the message.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<OtlpExport> _received = [];
    private readonly Task _serving;

    private OtlpReceiver(int port)
    {
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>The base URL, as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>telemetry.otlp.endpoint</c> takes it.</summary>
    public Uri Url { get; }

    public static OtlpReceiver Start()
    {
        // A port the system just handed out and released: a collision with another test is possible but unlikely.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new OtlpReceiver(port);
    }

    /// <summary>Everything received on a path so far.</summary>
    public IReadOnlyList<OtlpExport> Received(string path)
    {
        lock (_received)
        {
            return [.. _received.Where(e => e.Path == path)];
        }
    }

    /// <summary>Waits (30 s at most) until the bodies received on <paramref name="path"/>, taken together, contain every one of <paramref name="texts"/>.</summary>
    public async Task<IReadOnlyList<OtlpExport>> WaitForAsync(string path, params string[] texts)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var received = Received(path);
            var all = string.Concat(received.Select(e => e.Text));
            if (texts.All(t => all.Contains(t, StringComparison.Ordinal)))
            {
                return received;
            }

            if (deadline.IsCancellationRequested)
            {
                var missing = texts.Where(t => !all.Contains(t, StringComparison.Ordinal));
                throw new TimeoutException($"{path}: {received.Count} exports in 30 s, none with {string.Join(", ", missing)}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            lock (_received)
            {
                _received.Add(new OtlpExport(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType, headers, body.ToArray()));
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}

/// <summary>One export as received: its method, path, content type, headers and protobuf body.</summary>
internal sealed record OtlpExport(string Method, string Path, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The body read as UTF-8: protobuf's strings appear in it as they are.</summary>
    public string Text => Encoding.UTF8.GetString(Body);

    public bool Contains(ReadOnlySpan<byte> bytes) => Body.AsSpan().IndexOf(bytes) >= 0;
}
