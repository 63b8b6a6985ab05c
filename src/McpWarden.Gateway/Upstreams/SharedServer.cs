using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Upstreams;

/// <summary>
/// One stdio server process serving every session of a server configured with <c>"shared": true</c>, instead
/// of a process per session. The gateway makes the server's handshake itself, once, declaring no client
/// capabilities (so the server never asks a client anything: with many clients behind it there would be no
/// telling which one to ask), and answers each session's <c>initialize</c> with what the server answered it.
/// <para>
/// Each session holds a <see cref="SharedServerLease"/>, a transport of its own. Request ids and progress tokens
/// are rewritten on the way in to ones unique across the sessions and back on the way out, so one session
/// never receives another's answers or progress; what the server says to everyone (a changed tool list, a log
/// message, an updated resource) goes to every session. The process stops when the last lease is closed, and
/// when it dies every lease ends with it, so each session restarts it as it restarts a server of its own:
/// the first to reconnect starts a new process, the others share it.
/// </para>
/// </summary>
#pragma warning disable CA1001 // _closing has no timer and no linked token: left undisposed it holds nothing, and a reader still draining may read its token.
internal sealed class SharedServer
#pragma warning restore CA1001
{
    /// <summary>Roots are not declared to a shared server, so a client's change of them means nothing to it.</summary>
    private const string RootsListChanged = "notifications/roots/list_changed";

    private readonly string _name;
    private readonly Func<CancellationToken, Task<ITransport>> _start;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<long, InFlight> _requests = new();
    private readonly ConcurrentDictionary<string, ProgressOwner> _progress = new(StringComparer.Ordinal);
    private readonly HashSet<SharedServerLease> _leases = [];
    private readonly CancellationTokenSource _closing = new();
    private Task<Connection>? _started;
    private long _nextId;
    private bool _closed;

    public SharedServer(string name, StdioUpstreamDefinition definition, Func<CancellationToken, Task<ITransport>> start, ILogger logger)
    {
        _name = name;
        Definition = definition;
        _start = start;
        _logger = logger;
    }

    /// <summary>How the process is started; a reload that changes it gets a new shared server, the old one ends with its last session.</summary>
    public StdioUpstreamDefinition Definition { get; }

    /// <summary>
    /// A lease for one more session; null once the server was closed (its last lease went) or its process
    /// died: the caller then starts a new one.
    /// </summary>
    public SharedServerLease? TryLease()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return null;
            }

            var lease = new SharedServerLease(this);
            _leases.Add(lease);
            // Started by the first lease, not by whoever waits first: a session that gives up waiting does not stop it
            // for the others. On the pool, so that no lock is held while the process is spawned.
            _started ??= Task.Run(StartAsync);
            return lease;
        }
    }

    /// <summary>Completes once the process has answered the gateway's handshake; throws when it could not be started.</summary>
    internal async Task WaitStartedAsync(CancellationToken cancellationToken) =>
        await Starting.WaitAsync(cancellationToken).ConfigureAwait(false);

    private Task<Connection> Starting => _started ?? throw new InvalidOperationException("no lease was taken");

    /// <summary>One session's message on its way to the server, with its id (and progress token) made unique.</summary>
    internal async Task SendAsync(SharedServerLease lease, JsonRpcMessage message, CancellationToken cancellationToken)
    {
        var started = await Starting.ConfigureAwait(false);
        switch (message)
        {
            case JsonRpcRequest { Method: RequestMethods.Initialize } initialize:
                // The server was initialized once, by the gateway: every session hears what it answered.
                lease.Deliver(new JsonRpcResponse { Id = initialize.Id, Result = started.Handshake.DeepClone() });
                return;

            case JsonRpcRequest request:
                await ForwardAsync(started.Transport, lease, request, cancellationToken).ConfigureAwait(false);
                return;

            case JsonRpcNotification { Method: NotificationMethods.InitializedNotification or RootsListChanged }:
                // Said once by the gateway; and no client's roots were declared to the server.
                return;

            case JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled:
                if (RelayMessages.ReadRequestId(cancelled.Params) is { } id && SharedIdOf(lease, id) is { } shared)
                {
                    await started.Transport.SendMessageAsync(RelayMessages.CancellationOf(new RequestId(shared), cancelled.Params), cancellationToken).ConfigureAwait(false);
                }

                return;

            case JsonRpcNotification notification:
                await started.Transport.SendMessageAsync(notification, cancellationToken).ConfigureAwait(false);
                return;

            default:
                // An answer to a request of the server's: the server asks no session anything, so there is none to carry.
                SharedServerLog.DroppedStray(_logger, _name, "client");
                return;
        }
    }

    /// <summary>A session closed: what it still had with the server is cancelled there; the last one stops the process.</summary>
    internal async ValueTask ReleaseAsync(SharedServerLease lease)
    {
        bool last;
        lock (_gate)
        {
            if (!_leases.Remove(lease))
            {
                return;
            }

            last = _leases.Count == 0;
            _closed |= last;
        }

        var abandoned = _requests.Where(pair => pair.Value.Lease == lease).Select(pair => pair.Key).ToList();
        foreach (var id in abandoned)
        {
            Forget(id);
        }

        if (last)
        {
            await CloseAsync().ConfigureAwait(false);
            return;
        }

        if (abandoned.Count > 0 && _started is { IsCompletedSuccessfully: true } started)
        {
            foreach (var id in abandoned)
            {
                // The server need not finish work nobody will read; failing to tell it costs nothing but that work.
                await started.Result.Transport.SendMessageAsync(RelayMessages.CancellationOf(new RequestId(id), new JsonObject { ["reason"] = "the session closed" }), CancellationToken.None)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<Connection> StartAsync()
    {
        ITransport? transport = null;
        try
        {
            transport = await _start(_closing.Token).ConfigureAwait(false);
            // Reads until the process ends, and then ends every lease (GoneAsync): it outlives this start.
            _ = ReadAsync(transport);
            var handshakeId = Interlocked.Increment(ref _nextId);
            var answer = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _requests[handshakeId] = new InFlight(null, new RequestId(handshakeId), null, answer);
            await transport.SendMessageAsync(Handshake(handshakeId), _closing.Token).ConfigureAwait(false);
            var reply = await answer.Task.WaitAsync(_closing.Token).ConfigureAwait(false);
            if (reply is not JsonRpcResponse { Result: JsonObject result })
            {
                throw new InvalidOperationException($"the server refused the gateway's initialize: {(reply as JsonRpcError)?.Error.Message ?? "no result"}");
            }

            await transport.SendMessageAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification }, _closing.Token).ConfigureAwait(false);
            SharedServerLog.Started(_logger, _name);
            return new Connection(transport, result);
        }
        catch
        {
            lock (_gate)
            {
                _closed = true;
            }

            if (transport is not null)
            {
                await DisposeQuietlyAsync(transport).ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task ForwardAsync(ITransport transport, SharedServerLease lease, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var shared = Interlocked.Increment(ref _nextId);
        var parameters = request.Params;
        string? progressToken = null;
        if ((parameters as JsonObject)?["_meta"] is JsonObject { } meta && meta["progressToken"] is { } token)
        {
            // The session's token, which another session may use too, becomes one of the gateway's; the caller's params stay as they were.
            progressToken = "mcpwarden-" + shared.ToString(CultureInfo.InvariantCulture);
            parameters = parameters!.DeepClone();
            parameters["_meta"]!["progressToken"] = progressToken;
            _progress[progressToken] = new ProgressOwner(lease, token.DeepClone());
        }

        _requests[shared] = new InFlight(lease, request.Id, progressToken, null);
        try
        {
            await transport.SendMessageAsync(new JsonRpcRequest { Id = new RequestId(shared), Method = request.Method, Params = parameters }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Forget(shared);
            throw;
        }
    }

    /// <summary>Reads the server until it ends: answers to the session that asked, everything else to every session.</summary>
    private async Task ReadAsync(ITransport transport)
    {
        try
        {
            await foreach (var message in transport.MessageReader.ReadAllAsync(_closing.Token).ConfigureAwait(false))
            {
                await FromServerAsync(transport, message).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // However the connection failed, it has ended: every session learns so below.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SharedServerLog.ReadFailed(_logger, _name, e.Message);
        }

        await GoneAsync().ConfigureAwait(false);
    }

    private async Task FromServerAsync(ITransport transport, JsonRpcMessage message)
    {
        switch (message)
        {
            case JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError):
                if (answer.Id.Id is long id && Forget(id) is { } asked)
                {
                    if (asked.Answer is { } own)
                    {
                        own.TrySetResult(answer);
                    }
                    else
                    {
                        asked.Lease!.Deliver(RelayMessages.WithId(answer, asked.Id));
                    }
                }
                else
                {
                    SharedServerLog.DroppedStray(_logger, _name, "server");
                }

                break;

            case JsonRpcNotification { Method: NotificationMethods.ProgressNotification, Params: JsonObject progress }:
                if (progress["progressToken"] is JsonValue token && token.TryGetValue<string>(out var text) && _progress.TryGetValue(text, out var owner))
                {
                    var own = progress.DeepClone();
                    own["progressToken"] = owner.Token.DeepClone();
                    owner.Lease.Deliver(new JsonRpcNotification { Method = NotificationMethods.ProgressNotification, Params = own });
                }

                break;

            case JsonRpcNotification { Method: NotificationMethods.CancelledNotification }:
                // The server withdraws a request of its own; it made none of any session.
                break;

            case JsonRpcNotification notification:
                foreach (var lease in Leases())
                {
                    lease.Deliver(notification);
                }

                break;

            case JsonRpcRequest { Method: RequestMethods.Ping } ping:
                await transport.SendMessageAsync(new JsonRpcResponse { Id = ping.Id, Result = new JsonObject() }, CancellationToken.None).ConfigureAwait(false);
                break;

            case JsonRpcRequest request:
                SharedServerLog.RefusedServerRequest(_logger, _name, new Untrusted(request.Method));
                await transport.SendMessageAsync(RelayMessages.Error(request.Id, McpErrorCode.MethodNotFound, $"the gateway shares this server among its sessions and relays no request of the server's to a client ({request.Method})"), CancellationToken.None)
                    .ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The id the server knows a session's request by, while it is in flight (a cancellation is rare: a scan is enough).</summary>
    private long? SharedIdOf(SharedServerLease lease, RequestId id)
    {
        foreach (var (shared, asked) in _requests)
        {
            if (asked.Lease == lease && asked.Id == id)
            {
                return shared;
            }
        }

        return null;
    }

    /// <summary>Removes a request and its progress token; what it was, or null when it was not (or no longer) in flight.</summary>
    private InFlight? Forget(long id)
    {
        if (!_requests.TryRemove(id, out var asked))
        {
            return null;
        }

        if (asked.ProgressToken is { } token)
        {
            _progress.TryRemove(token, out _);
        }

        return asked;
    }

    /// <summary>The process ended: no lease can be taken any more, and every session's connection ends, so each reconnects.</summary>
    private async Task GoneAsync()
    {
        List<SharedServerLease> leases;
        lock (_gate)
        {
            _closed = true;
            leases = [.. _leases];
        }

        foreach (var id in _requests.Keys)
        {
            if (Forget(id) is { Answer: { } own })
            {
                own.TrySetException(new IOException($"the server {_name} ended before it answered the gateway's initialize"));
            }
        }

        if (!_closing.IsCancellationRequested)
        {
            SharedServerLog.Ended(_logger, _name, leases.Count);
        }

        foreach (var lease in leases)
        {
            lease.End();
        }

        await CloseAsync().ConfigureAwait(false);
    }

    private async Task CloseAsync()
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        if (_started is not { } started)
        {
            return;
        }

        // A start still under way ends on the cancellation and closes what it opened itself.
        await ((Task)started).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (started.IsCompletedSuccessfully)
        {
            await DisposeQuietlyAsync(started.Result.Transport).ConfigureAwait(false);
        }
    }

    private async Task DisposeQuietlyAsync(ITransport transport)
    {
        try
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Stopping a process that already died must not stop the others' shutdown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.CloseFailed(_logger, _name, e.Message);
        }
    }

    private List<SharedServerLease> Leases()
    {
        lock (_gate)
        {
            return [.. _leases];
        }
    }

    private static JsonRpcRequest Handshake(long id) => new()
    {
        Id = new RequestId(id),
        Method = RequestMethods.Initialize,
        Params = new JsonObject
        {
            ["protocolVersion"] = ProtocolVersions.Newest,
            // None: a request of the server's could not be put to the right one of the many clients behind it.
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = AggregateInitialization.ServerName, ["version"] = AggregateInitialization.Version },
        },
    };

    /// <summary>A request with the server: the session that asked and its id there (or, for the gateway's own, who waits), and the progress token it was given.</summary>
    private sealed record InFlight(SharedServerLease? Lease, RequestId Id, string? ProgressToken, TaskCompletionSource<JsonRpcMessage>? Answer);

    /// <summary>Whose progress a token of the gateway's reports, and under which token of its own.</summary>
    private sealed record ProgressOwner(SharedServerLease Lease, JsonNode Token);

    private sealed record Connection(ITransport Transport, JsonObject Handshake);
}
