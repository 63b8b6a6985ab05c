using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// The gateway as a stdio MCP server: messages in on one stream, out on another,
/// one per line. Nothing but protocol is written to the output; everything else goes to the log.
/// </summary>
public sealed class StdioFront : IDisposable
{
    private readonly Func<string, Func<JsonRpcMessage, Task>, CancellationToken, Task<IRelaySession>> _openSession;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>The largest message a client may send, unless configured otherwise: 4 MiB.</summary>
    public const int DefaultMaxMessageBytes = MessageScreening.DefaultMaxMessageBytes;

    /// <param name="openSession">Opens the session for this conversation, given its id and where to send the client's messages.</param>
    public StdioFront(Func<string, Func<JsonRpcMessage, Task>, CancellationToken, Task<IRelaySession>> openSession, ILoggerFactory loggers, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _openSession = openSession;
        _logger = loggers.CreateLogger<StdioFront>();
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>Serves until the client closes its input; then closes the server's side too.</summary>
    public async Task RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var handshake = new StdioHandshake();
        var session = await _openSession(
            "stdio-" + Guid.NewGuid().ToString("N"),
            message =>
            {
                handshake.Observe(message);
                return WriteAsync(output, JsonSerializer.SerializeToUtf8Bytes(message, McpJson.Message));
            },
            cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            session.Start();
            var reader = new BoundedLineReader(input, _maxMessageBytes);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is ({ } line, var tooLong))
            {
                if (tooLong > 0)
                {
                    await WriteFrameAsync(output, MessageScreening.ErrorFrame(McpErrorCode.InvalidRequest, $"the message is {tooLong} bytes; the limit is {_maxMessageBytes}")).ConfigureAwait(false);
                    continue;
                }

                if (line.Span.Trim(" \t"u8).IsEmpty)
                {
                    continue;
                }

                var (message, error) = MessageScreening.Screen(line.Span, _maxMessageBytes);
                error ??= handshake.Refusal(message!);
                if (error is not null)
                {
                    RelayLog.RefusedClientMessage(_logger, (string?)error["error"]!["message"] ?? "invalid message");
                    await WriteFrameAsync(output, error).ConfigureAwait(false);
                    continue;
                }

                await session.FromClientAsync(message!).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _writeGate.Dispose();

    private Task WriteFrameAsync(Stream output, JsonNode frame) =>
        WriteAsync(output, JsonSerializer.SerializeToUtf8Bytes(frame, GatewayJsonContext.Default.JsonNode));

    /// <summary>Writes one message and its newline as a single write, never cut in half by a cancellation.</summary>
    private async Task WriteAsync(Stream output, byte[] message)
    {
        var line = new byte[message.Length + 1];
        message.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
