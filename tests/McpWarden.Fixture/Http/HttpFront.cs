using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using McpWarden.Fixture.Tools;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Http;

/// <summary>
/// Streamable HTTP around the C# SDK's <see cref="StreamableHttpServerTransport"/>: POST, GET and DELETE on
/// one path, one transport and one SDK server per session, sessions named by <c>Mcp-Session-Id</c>.
/// </summary>
internal sealed partial class HttpFront(FixtureServer fixture, ISseEventStreamStore eventStore, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
{
    public const string SessionIdHeader = "Mcp-Session-Id";
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";
    private const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>The revisions that have sessions and an initialize handshake; a missing header means 2025-03-26.</summary>
    private static readonly string[] SupportedProtocolVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType = (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
    private static readonly JsonTypeInfo<JsonRpcError> ErrorType = (JsonTypeInfo<JsonRpcError>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcError));

    private readonly ConcurrentDictionary<string, HttpSession> _sessions = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<HttpFront>();

    public void Map(IEndpointRouteBuilder endpoints, string path)
    {
        endpoints.MapPost(path, PostAsync);
        endpoints.MapGet(path, GetAsync);
        endpoints.MapDelete(path, DeleteAsync);
    }

    /// <summary>Ends every open session (on shutdown).</summary>
    public async Task CloseAllAsync()
    {
        foreach (var id in _sessions.Keys)
        {
            if (_sessions.TryRemove(id, out var session))
            {
                await session.DisposeAsync();
            }
        }
    }

    private async Task PostAsync(HttpContext context)
    {
        var accept = context.Request.GetTypedHeaders().Accept;
        if (!accept.Any(type => type.MatchesMediaType("application/json")) || !accept.Any(type => type.MatchesMediaType("text/event-stream")))
        {
            await ErrorAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept both application/json and text/event-stream");
            return;
        }

        if (!await SupportedProtocolVersionAsync(context))
        {
            return;
        }

        JsonRpcMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync(context.Request.Body, MessageType, context.RequestAborted);
        }
        catch (JsonException)
        {
            // Malformed JSON, a batch (removed in 2025-06-18) or anything else that is not one message.
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the body is not one JSON-RPC message", (int)McpErrorCode.ParseError);
            return;
        }

        if (message is null)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the body is not one JSON-RPC message", (int)McpErrorCode.InvalidRequest);
            return;
        }

        // The call log shows what headers reached the server with each call (a gateway must not pass its callers' keys on).
        var messageContext = message.Context ??= new JsonRpcMessageContext();
        messageContext.Items ??= new Dictionary<string, object?>(StringComparer.Ordinal);
        messageContext.Items[CallLog.HeadersItem] = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);

        var session = await SessionForPostAsync(context, message);
        if (session is null)
        {
            return;
        }

        StartEventStream(context);
        var answered = await session.Transport.HandlePostRequestAsync(message, context.Response.Body, context.RequestAborted);
        if (!answered)
        {
            // A notification or a response: accepted, nothing to say back.
            context.Response.Headers.ContentType = (string?)null;
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }
    }

    private async Task GetAsync(HttpContext context)
    {
        if (!context.Request.GetTypedHeaders().Accept.Any(type => type.MatchesMediaType("text/event-stream")))
        {
            await ErrorAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept text/event-stream");
            return;
        }

        if (!await SupportedProtocolVersionAsync(context) || await ExistingSessionAsync(context) is not { } session)
        {
            return;
        }

        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var lastEventId = context.Request.Headers[LastEventIdHeader].ToString();
        try
        {
            if (!string.IsNullOrEmpty(lastEventId))
            {
                await ResumeAsync(context, session, lastEventId, ending.Token);
                return;
            }

            if (!session.TryOpenGetStream())
            {
                await ErrorAsync(context, StatusCodes.Status409Conflict, "Conflict: this session already has a GET stream open");
                return;
            }

            try
            {
                StartEventStream(context);
                await session.Transport.HandleGetRequestAsync(context.Response.Body, ending.Token);
            }
            finally
            {
                session.CloseGetStream();
            }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The client went away, or the fixture is stopping: that is how an SSE stream ends.
        }
    }

    private async Task ResumeAsync(HttpContext context, HttpSession session, string lastEventId, CancellationToken cancellationToken)
    {
        var reader = await eventStore.GetStreamReaderAsync(lastEventId, cancellationToken);
        if (reader is null || reader.SessionId != session.Id)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the Last-Event-ID is unknown, expired, or belongs to another session");
            return;
        }

        StartEventStream(context);
        await System.Net.ServerSentEvents.SseFormatter.WriteAsync(reader.ReadEventsAsync(cancellationToken), context.Response.Body, WriteEventData, cancellationToken);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (!await SupportedProtocolVersionAsync(context) || await ExistingSessionAsync(context) is not { } session)
        {
            return;
        }

        if (_sessions.TryRemove(session.Id, out _))
        {
            LogSessionDeleted(session.Id);
            await session.DisposeAsync();
        }
    }

    private async ValueTask<HttpSession?> SessionForPostAsync(HttpContext context, JsonRpcMessage message)
    {
        if (!string.IsNullOrEmpty(context.Request.Headers[SessionIdHeader]))
        {
            return await ExistingSessionAsync(context, message);
        }

        if (message is not JsonRpcRequest { Method: RequestMethods.Initialize })
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, $"Bad Request: only an initialize request may come without an {SessionIdHeader} header", requestId: IdOf(message));
            return null;
        }

        var id = NewSessionId();
        var transport = new StreamableHttpServerTransport(loggerFactory) { SessionId = id, EventStreamStore = eventStore };
        var server = McpServer.Create(transport, fixture.CreateOptions(), loggerFactory);
        var session = new HttpSession(id, transport, server);
        _sessions[id] = session;
        LogSessionCreated(id);
        context.Response.Headers[SessionIdHeader] = id;
        return session;
    }

    private async ValueTask<HttpSession?> ExistingSessionAsync(HttpContext context, JsonRpcMessage? message = null)
    {
        var id = context.Request.Headers[SessionIdHeader].ToString();
        if (string.IsNullOrEmpty(id))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, $"Bad Request: the {SessionIdHeader} header is required");
            return null;
        }

        if (!_sessions.TryGetValue(id, out var session))
        {
            // 404 tells the client to start over with a new initialize.
            await ErrorAsync(context, StatusCodes.Status404NotFound, "Session not found", -32001, IdOf(message));
            return null;
        }

        context.Response.Headers[SessionIdHeader] = id;
        return session;
    }

    private static async ValueTask<bool> SupportedProtocolVersionAsync(HttpContext context)
    {
        var version = context.Request.Headers[ProtocolVersionHeader].ToString();
        if (string.IsNullOrEmpty(version) || SupportedProtocolVersions.Contains(version, StringComparer.Ordinal))
        {
            return true;
        }

        // A revision without sessions (2026-07-28) is refused with a legacy error code, so that a client that
        // probes it first falls back to initialize.
        await ErrorAsync(context, StatusCodes.Status400BadRequest, $"Bad Request: unsupported protocol version '{version}' (supported: {string.Join(", ", SupportedProtocolVersions)})");
        return false;
    }

    private static void StartEventStream(HttpContext context)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache,no-store";
        context.Response.Headers.ContentEncoding = "identity";
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
    }

    private static void WriteEventData(System.Net.ServerSentEvents.SseItem<JsonRpcMessage?> item, System.Buffers.IBufferWriter<byte> output)
    {
        // A priming event carries an id and no data.
        if (item.Data is { } message)
        {
            using var writer = new Utf8JsonWriter(output);
            JsonSerializer.Serialize(writer, message, MessageType);
        }
    }

    private static Task ErrorAsync(HttpContext context, int status, string message, int code = -32000, RequestId requestId = default)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonRpcError { Id = requestId, Error = new JsonRpcErrorDetail { Code = code, Message = message } };
        return JsonSerializer.SerializeAsync(context.Response.Body, error, ErrorType, context.RequestAborted);
    }

    private static RequestId IdOf(JsonRpcMessage? message) => message is JsonRpcRequest request ? request.Id : default;

    private static string NewSessionId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} started")]
    private partial void LogSessionCreated(string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} deleted by the client")]
    private partial void LogSessionDeleted(string sessionId);
}
