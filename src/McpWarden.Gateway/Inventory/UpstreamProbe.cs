using System.Globalization;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Definitions;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Inventory;

/// <summary>
/// Asks one configured server, once, who it is and what tools it has: it connects exactly as the gateway does
/// (<see cref="UpstreamTransportFactory"/>: a stdio child with the safe environment, or HTTP with the configured
/// headers), sends <c>initialize</c> and <c>notifications/initialized</c>, reads <c>tools/list</c> page by page,
/// and closes the connection (a child process ends with it). It calls no tool and changes nothing.
/// </summary>
/// <remarks>
/// Each step (starting the server, the handshake, each page) has the server's <c>timeout</c>, as each of the
/// gateway's own requests does. Any failure is returned as the server's error, never thrown: one server that
/// cannot be listed must not keep the others from being listed.
/// </remarks>
public sealed class UpstreamProbe
{
    /// <summary>Most <c>tools/list</c> pages read from one server, as the relay reads at most.</summary>
    public const int MaxPages = 1000;

    private readonly UpstreamTransportFactory _transports;
    private readonly TimeProvider _time;

    public UpstreamProbe(UpstreamTransportFactory transports, TimeProvider time)
    {
        _transports = transports;
        _time = time;
    }

    public async Task<ProbedServer> ProbeAsync(ServerDefinition server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ITransport? transport = null;
        try
        {
            using (var deadline = Deadline(server, cancellationToken))
            {
                try
                {
                    transport = await _transports.ConnectAsync(server, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return ProbedServer.Failed(server.Name, $"{server.Name} could not be started or reached within {Seconds(server.RequestTimeout)}");
                }
            }

            var conversation = new Conversation(server, transport, this, cancellationToken);
            var initialized = await conversation.RequestAsync(RequestMethods.Initialize, InitializeParameters()).ConfigureAwait(false);
            var version = initialized["protocolVersion"] is JsonValue chosen && chosen.TryGetValue<string>(out var text) ? text : null;
            if (version is null || !ProtocolVersions.Relayed.Contains(version))
            {
                // The gateway would refuse to relay this server; listing it as if it could be used would mislead.
                return ProbedServer.Failed(server.Name, $"{server.Name} chose protocol version {initialized["protocolVersion"]?.ToJsonString() ?? "(none)"}, which this gateway does not relay");
            }

            var context = ContextOf(server.Name, initialized);
            await transport.SendMessageAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification }, cancellationToken).ConfigureAwait(false);

            var pages = new List<JsonNode?>();
            string? cursor = null;
            do
            {
                var page = await conversation.RequestAsync(RequestMethods.ToolsList, cursor is null ? null : new JsonObject { ["cursor"] = cursor }).ConfigureAwait(false);
                pages.Add(page);
                cursor = page["nextCursor"] is JsonValue next && next.TryGetValue<string>(out var nextText) ? nextText : null;
            }
            while (cursor is not null && pages.Count < MaxPages);

            return new ProbedServer(server.Name, context, version, pages, null, Truncated: cursor is not null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever went wrong with this server is its reported error; the others are still listed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ProbedServer.Failed(server.Name, e is ProbeException ? e.Message : $"{server.Name} could not be listed: {Describe(e)}");
        }
        finally
        {
            if (transport is not null)
            {
                // Closing a stdio transport ends the child process: the probe leaves nothing running.
                try
                {
                    await transport.DisposeAsync().ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A server that already went away cannot be closed twice; what it listed (or its error) stands.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }

    private StepDeadline Deadline(ServerDefinition server, CancellationToken cancellationToken) => new(server.RequestTimeout, _time, cancellationToken);

    /// <summary>Every distinct message down the chain of causes: the SDK's "failed to connect" wraps the reason a person needs.</summary>
    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (!messages.Contains(cause.Message, StringComparer.Ordinal))
            {
                messages.Add(cause.Message.TrimEnd('.'));
            }
        }

        return string.Join(": ", messages);
    }

    private static JsonObject InitializeParameters() => new()
    {
        ["protocolVersion"] = ProtocolVersions.Newest,
        ["capabilities"] = new JsonObject(),
        ["clientInfo"] = new JsonObject { ["name"] = AggregateInitialization.ServerName, ["version"] = AggregateInitialization.Version },
    };

    private static ServerContext ContextOf(string name, JsonObject initialized)
    {
        var info = initialized["serverInfo"] as JsonObject;
        return new ServerContext(name, Text(info, "name"), Text(info, "title"), Text(info, "version"), Text(initialized, "instructions"));
    }

    private static string? Text(JsonObject? owner, string member) =>
        owner?[member] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    /// <summary>One step's time limit, on the probe's clock, cancelled early when the whole probe is.</summary>
    private sealed class StepDeadline : IDisposable
    {
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _linked;

        public StepDeadline(TimeSpan timeout, TimeProvider time, CancellationToken outer)
        {
            _timer = new CancellationTokenSource(timeout, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _timer.Token);
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _timer.Dispose();
        }
    }

    /// <summary>A failure already worded for the report.</summary>
    private sealed class ProbeException(string message) : Exception(message);

    /// <summary>Requests one at a time over one connection, answering what the server asks meanwhile.</summary>
    private sealed class Conversation(ServerDefinition server, ITransport transport, UpstreamProbe probe, CancellationToken cancellationToken)
    {
        private long _nextId;

        /// <summary>The result object of a request; a server error, a non-object result, a closed connection or the deadline is a <see cref="ProbeException"/>.</summary>
        public async Task<JsonObject> RequestAsync(string method, JsonNode? parameters)
        {
            var id = new RequestId(++_nextId);
            using var deadline = probe.Deadline(server, cancellationToken);
            try
            {
                await transport.SendMessageAsync(new JsonRpcRequest { Id = id, Method = method, Params = parameters }, deadline.Token).ConfigureAwait(false);
                await foreach (var message in transport.MessageReader.ReadAllAsync(deadline.Token).ConfigureAwait(false))
                {
                    switch (message)
                    {
                        case JsonRpcResponse response when response.Id == id:
                            return response.Result as JsonObject
                                ?? throw new ProbeException($"{server.Name} answered {method} with something that is not a result object");
                        case JsonRpcError error when error.Id == id:
                            throw new ProbeException($"{server.Name} answered {method} with an error: {error.Error.Message}");
                        case JsonRpcRequest request:
                            await AnswerAsync(request, deadline.Token).ConfigureAwait(false);
                            break;
                        default:
                            // Notifications (logging, progress, list changes) do not change what is being read.
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ProbeException($"{server.Name} did not answer {method} within {Seconds(server.RequestTimeout)}");
            }

            throw new ProbeException($"{server.Name} closed the connection before answering {method}");
        }

        /// <summary>A ping is answered; anything else the server asks of its client (sampling, roots) is declined: the probe offers no capabilities.</summary>
        private Task AnswerAsync(JsonRpcRequest request, CancellationToken token) =>
            transport.SendMessageAsync(
                request.Method == RequestMethods.Ping
                    ? new JsonRpcResponse { Id = request.Id, Result = new JsonObject() }
                    : RelayMessages.Error(request.Id, McpErrorCode.MethodNotFound, $"{request.Method} is not offered while the gateway lists tools"),
                token);
    }
}
