using System.Text.Json;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// The gateway as a stdio MCP server for one configured server: messages in on one stream, out on another,
/// one per line. Nothing but protocol is written to the output; everything else goes to the log.
/// </summary>
public sealed class StdioFront : IDisposable
{
    private readonly ServerDefinition _server;
    private readonly string _grant;
    private readonly UpstreamTransportFactory _upstreams;
    private readonly ToolCallEnforcer _enforcer;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly int _maxMessageBytes;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public StdioFront(ServerDefinition server, string grant, UpstreamTransportFactory upstreams, ToolCallEnforcer enforcer, TimeProvider time, Action<string> log, int maxMessageBytes = MessageScreening.DefaultMaxMessageBytes)
    {
        _server = server;
        _grant = grant;
        _upstreams = upstreams;
        _enforcer = enforcer;
        _time = time;
        _log = log;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>Serves until the client closes its input; then closes the server's side too.</summary>
    public async Task RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var upstream = await _upstreams.ConnectAsync(_server, cancellationToken).ConfigureAwait(false);
        var session = new ProxySession(_server, _grant, "stdio-" + Guid.NewGuid().ToString("N"), upstream, (message, token) => WriteAsync(output, message, token), _enforcer, _time, _log);
        await using (session.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var relay = session.RunUpstreamAsync(stop.Token);
            var reader = new BoundedLineReader(input, _maxMessageBytes);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is ({ } line, var tooLong))
            {
                if (tooLong > 0)
                {
                    await WriteAsync(output, Refusal(McpErrorCode.InvalidRequest, $"the message is {tooLong} bytes; the limit is {_maxMessageBytes}"), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (line.Span.Trim(" \t"u8).IsEmpty)
                {
                    continue;
                }

                var (message, error) = MessageScreening.Screen(line.Span, _maxMessageBytes);
                if (error is not null)
                {
                    _log($"refused a message from the client: {error.Error.Message}");
                    await WriteAsync(output, error, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await session.FromClientAsync(message!, cancellationToken).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await relay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WriteAsync(Stream output, JsonRpcMessage message, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, McpJson.Message);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose() => _writeGate.Dispose();

    private static JsonRpcError Refusal(McpErrorCode code, string message) =>
        new() { Id = default, Error = new JsonRpcErrorDetail { Code = (int)code, Message = message } };
}
