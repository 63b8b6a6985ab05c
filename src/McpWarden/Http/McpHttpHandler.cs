using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Fronts;
using McpWarden.Gateway.Fronts.Http;
using McpWarden.Gateway.Relay;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Http;

/// <summary>
/// MCP over Streamable HTTP at the gateway's front: the checks every request passes (Host and Origin,
/// the grant's key, Accept, size, protocol version, session), then the message goes to its session's
/// relay. A request is answered on a stream of server-sent events that carries, before the answer, what
/// the server sends about it (progress, logging, sampling); <c>initialize</c> is answered as plain JSON,
/// with the new session's id.
/// </summary>
internal sealed class McpHttpHandler
{
    private const string SessionHeader = "Mcp-Session-Id";
    private const string VersionHeader = "MCP-Protocol-Version";

    /// <summary>The code MCP servers answer "no such session" with.</summary>
    private const McpErrorCode SessionNotFound = (McpErrorCode)(-32001);

    /// <summary>The legacy code for a bad request; a client probing a newer revision falls back to initialize on it.</summary>
    private const McpErrorCode BadRequest = (McpErrorCode)(-32000);

    /// <summary>How long starting or reaching a server for a new session may take.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMinutes(1);

    private static readonly byte[] EventPrefix = "event: message\ndata: "u8.ToArray();
    private static readonly byte[] EventSuffix = "\n\n"u8.ToArray();
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    /// <summary>How long a stream may stay silent before the gateway writes a comment to keep it open.</summary>
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private readonly LiveConfiguration _live;
    private readonly HttpSessionRegistry _registry;
    private readonly RelaySessionFactory _relays;
    private readonly GrantAuthenticator _grants;
    private readonly OriginCheck _origins;
    private readonly CancellationToken _stopping;

    public McpHttpHandler(LiveConfiguration live, HttpSessionRegistry registry, RelaySessionFactory relays, GrantAuthenticator grants, OriginCheck origins, CancellationToken stopping)
    {
        _live = live;
        _registry = registry;
        _relays = relays;
        _grants = grants;
        _origins = origins;
        _stopping = stopping;
    }

    public async Task PostAsync(HttpContext context)
    {
        if (await AdmitAsync(context).ConfigureAwait(false) is not var (grant, target))
        {
            return;
        }

        var request = context.Request;
        if (!Accepts(request, "application/json") || !Accepts(request, "text/event-stream"))
        {
            await RefuseAsync(context, StatusCodes.Status406NotAcceptable, BadRequest, "the Accept header must list both application/json and text/event-stream").ConfigureAwait(false);
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, BadRequest, "the Content-Type must be application/json").ConfigureAwait(false);
            return;
        }

        if (!await CheckVersionAsync(context).ConfigureAwait(false))
        {
            return;
        }

        // The limit is the one the gateway started with: a reload does not change it.
        var limit = _live.Current.MaxMessageBytes;
        var body = await ReadBodyAsync(request, limit, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, McpErrorCode.InvalidRequest, $"the message is larger than the limit of {limit} bytes").ConfigureAwait(false);
            return;
        }

        var (message, error) = MessageScreening.Screen(body, limit);
        if (error is not null)
        {
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return;
        }

        if (message is JsonRpcRequest { Method: RequestMethods.Initialize } initialize)
        {
            await InitializeAsync(context, initialize, grant, target).ConfigureAwait(false);
            return;
        }

        if (await FindSessionAsync(context, grant, target).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        if (message is not JsonRpcRequest call)
        {
            await session.DeliverAsync(message!).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        if (await session.RequestAsync(call).ConfigureAwait(false) is not { } feed)
        {
            await RefuseAsync(context, StatusCodes.Status409Conflict, McpErrorCode.InvalidRequest, $"a request with id {call.Id} is already in flight in this session").ConfigureAwait(false);
            return;
        }

        await StreamAsync(context, feed).ConfigureAwait(false);
    }

    public async Task GetAsync(HttpContext context)
    {
        if (await AdmitAsync(context).ConfigureAwait(false) is not var (grant, target))
        {
            return;
        }

        if (!Accepts(context.Request, "text/event-stream"))
        {
            await RefuseAsync(context, StatusCodes.Status406NotAcceptable, BadRequest, "the Accept header must list text/event-stream").ConfigureAwait(false);
            return;
        }

        if (!await CheckVersionAsync(context).ConfigureAwait(false) || await FindSessionAsync(context, grant, target).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        if (session.OpenStandaloneStream() is not { } feed)
        {
            await RefuseAsync(context, StatusCodes.Status409Conflict, BadRequest, "this session already has a GET stream open").ConfigureAwait(false);
            return;
        }

        await StreamAsync(context, feed).ConfigureAwait(false);
    }

    public async Task DeleteAsync(HttpContext context)
    {
        if (await AdmitAsync(context).ConfigureAwait(false) is not var (grant, target)
            || await FindSessionAsync(context, grant, target).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        await _registry.CloseAsync(session).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// The checks before anything else: Host and Origin, the caller's key, the server, and whether the
    /// caller's grant may reach it. Null when refused (and answered).
    /// </summary>
    /// <remarks>
    /// The key is checked before the server's name, so that only a grant's holder learns which servers exist;
    /// a holder then learns it from a 404 (no such server) against a 403 (not yours), which /healthz tells
    /// anyone on the machine anyway, and which a holder needs to tell a typo from a missing permission.
    /// </remarks>
    private async Task<(string Grant, string Target)?> AdmitAsync(HttpContext context)
    {
        var request = context.Request;
        if (_origins.Refusal(request.Headers.Host, request.Headers.Origin) is { } refusal)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, BadRequest, refusal).ConfigureAwait(false);
            return null;
        }

        var server = context.Request.RouteValues["server"] as string;
        var authentication = _grants.Authenticate(request.Headers.Authorization.ToString(), server);
        switch (authentication.Outcome)
        {
            case GrantAuthenticationOutcome.MissingKey:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, BadRequest, "no key: this gateway needs a grant's key, sent as Authorization: Bearer KEY", reason: "missing_key").ConfigureAwait(false);
                return null;

            case GrantAuthenticationOutcome.UnknownKey:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, BadRequest, "the key is not one of this gateway's grants: check it, or ask for a new one", reason: "unknown_key").ConfigureAwait(false);
                return null;
        }

        if (server is not null && _live.Server(server) is null)
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, BadRequest, $"this gateway has no server {Policy.Json.JsonText.Quote(server)}", reason: "unknown_server").ConfigureAwait(false);
            return null;
        }

        if (authentication.Outcome == GrantAuthenticationOutcome.ServerNotAllowed)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
            await RefuseAsync(context, StatusCodes.Status403Forbidden, BadRequest, $"the grant {Policy.Json.JsonText.Quote(authentication.Grant!)} may not reach the server {Policy.Json.JsonText.Quote(server!)}", reason: "server_not_allowed", server: server).ConfigureAwait(false);
            return null;
        }

        return (authentication.Grant!, server ?? McpEndpoints.AggregateTarget);
    }

    /// <summary>
    /// A missing version header means 2025-03-26; any revision the gateway relays is accepted, not only the
    /// one the session settled on (a server may settle on 2024-11-05, and the client then names it).
    /// Anything else, the stateless 2026-07-28 included, is HTTP 400 with a legacy error code, on which a
    /// modern client falls back to initialize.
    /// </summary>
    private static async Task<bool> CheckVersionAsync(HttpContext context)
    {
        var version = context.Request.Headers[VersionHeader].ToString();
        if (version.Length == 0 || ProtocolVersions.Relayed.Contains(version))
        {
            return true;
        }

        await RefuseAsync(context, StatusCodes.Status400BadRequest, BadRequest, $"this gateway does not serve protocol version {Policy.Json.JsonText.Quote(version)}; it serves {string.Join(", ", ProtocolVersions.Served)}: initialize with one of them").ConfigureAwait(false);
        return false;
    }

    private async Task<HttpSession?> FindSessionAsync(HttpContext context, string grant, string target)
    {
        var id = context.Request.Headers[SessionHeader].ToString();
        if (id.Length == 0)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, BadRequest, $"the {SessionHeader} header is missing: initialize first").ConfigureAwait(false);
            return null;
        }

        if (_registry.Find(id, grant, target) is { } session)
        {
            return session;
        }

        await RefuseAsync(context, StatusCodes.Status404NotFound, SessionNotFound, "no such session: it ended or never existed; initialize again").ConfigureAwait(false);
        return null;
    }

    /// <summary>Opens a session with its own connection upstream; the session exists only if the server accepted the initialize.</summary>
    private async Task InitializeAsync(HttpContext context, JsonRpcRequest initialize, string grant, string target)
    {
        if (context.Request.Headers.ContainsKey(SessionHeader))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, McpErrorCode.InvalidRequest, $"initialize starts a new session; send it without {SessionHeader}", IdOf(initialize)).ConfigureAwait(false);
            return;
        }

        if (_registry.Create(grant, target) is not { } session)
        {
            context.Response.Headers.RetryAfter = "30";
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, McpErrorCode.InternalError, $"the gateway already has {_registry.MaxSessions} sessions open", IdOf(initialize)).ConfigureAwait(false);
            return;
        }

        JsonRpcMessage? answer = null;
        try
        {
            session.Attach(await OpenRelayAsync(session).ConfigureAwait(false));
            if (await session.RequestAsync(initialize).ConfigureAwait(false) is { } feed)
            {
                await foreach (var message in feed.Messages.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
                {
                    answer = message is JsonRpcResponse or JsonRpcError ? message : answer;
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            await _registry.CloseAsync(session).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // A server that cannot be started or reached is the client's answer, not the gateway's crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await _registry.CloseAsync(session).ConfigureAwait(false);
            await RefuseAsync(context, StatusCodes.Status502BadGateway, McpErrorCode.InternalError, $"could not reach {DescribeTarget(target)}: {e.Message}", IdOf(initialize)).ConfigureAwait(false);
            return;
        }

        if (answer is not JsonRpcResponse)
        {
            // The server refused (or never answered): there is no session to keep.
            await _registry.CloseAsync(session).ConfigureAwait(false);
        }
        else
        {
            context.Response.Headers[SessionHeader] = session.Id;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var frame = answer ?? new JsonRpcError { Id = initialize.Id, Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = $"{DescribeTarget(target)} did not answer initialize" } };
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(frame, McpJson.Message), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<IRelaySession> OpenRelayAsync(HttpSession session)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        deadline.CancelAfter(ConnectTimeout);
        // One configuration throughout: a reload meanwhile closes the session if it removed or moved one of its servers.
        var configuration = _live.Current;
        if (session.Target == McpEndpoints.AggregateTarget)
        {
            // An aggregated session keeps the servers it opened with; servers added later appear in new sessions.
            var servers = GrantAuthenticator.ServersOf(session.Grant, configuration);
            session.Servers = [.. servers.Select(s => s.Name)];
            return await _relays.OpenAggregateAsync(servers, session.Grant, session.Label, session.ToClient, deadline.Token).ConfigureAwait(false);
        }

        var server = configuration.Servers.FirstOrDefault(s => s.Name == session.Target)
            ?? throw new InvalidOperationException("it was removed from the configuration");
        return await _relays.OpenAsync(server, session.Grant, session.Label, session.ToClient, deadline.Token).ConfigureAwait(false);
    }

    /// <summary>Writes a feed as server-sent events until it ends or the client goes.</summary>
    private static async Task StreamAsync(HttpContext context, ClientFeed feed)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            // The client learns the stream is open now, not with the first message (which may never come on GET).
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            while (await NextOrKeepAliveAsync(feed.Messages, response, context.RequestAborted).ConfigureAwait(false))
            {
                while (feed.Messages.TryRead(out var message))
                {
                    await response.Body.WriteAsync(EventPrefix, context.RequestAborted).ConfigureAwait(false);
                    await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(message, McpJson.Message), context.RequestAborted).ConfigureAwait(false);
                    await response.Body.WriteAsync(EventSuffix, context.RequestAborted).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; disconnecting is not cancelling, so whatever it asked for goes on.
        }
        finally
        {
            feed.Abandon();
        }
    }

    /// <summary>
    /// Waits for the next message; while none comes, writes an SSE comment every <see cref="KeepAliveInterval"/>,
    /// so that a call held for a person (or a slow tool) keeps its stream open through proxies and client
    /// idle timeouts. False when the feed has ended.
    /// </summary>
    private static async Task<bool> NextOrKeepAliveAsync(System.Threading.Channels.ChannelReader<JsonRpcMessage> messages, HttpResponse response, CancellationToken aborted)
    {
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            quiet.CancelAfter(KeepAliveInterval);
            try
            {
                return await messages.WaitToReadAsync(quiet.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                await response.Body.WriteAsync(KeepAlive, aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
        }
    }

    private static bool Accepts(HttpRequest request, string mediaType)
    {
        var type = mediaType[..mediaType.IndexOf('/', StringComparison.Ordinal)];
        return MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) && accepted.Any(a =>
            a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)
            || a.MediaType.Equals("*/*", StringComparison.Ordinal)
            || a.MediaType.Equals(type + "/*", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The body, or null when it is larger than <paramref name="limit"/> bytes. An oversize body is read to
    /// its end (up to what the server accepts at all) and dropped, so the client hears the 413 instead of a
    /// connection cut while it is still sending.
    /// </summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length && length <= limit ? (int)length : 4096);
        var scratch = new byte[16 * 1024];
        var tooLarge = request.ContentLength > limit;
        try
        {
            while (true)
            {
                var into = tooLarge ? scratch : buffer.GetMemory(4096);
                var read = await request.Body.ReadAsync(into, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return tooLarge ? null : buffer.WrittenSpan.ToArray();
                }

                if (!tooLarge)
                {
                    buffer.Advance(read);
                    tooLarge = buffer.WrittenCount > limit;
                }
            }
        }
        catch (BadHttpRequestException) when (tooLarge)
        {
            // Beyond even what the server drains: the connection ends after the 413.
            return null;
        }
    }

    private static string DescribeTarget(string target) =>
        target == McpEndpoints.AggregateTarget ? "the servers" : "the server " + target;

    private static JsonNode? IdOf(JsonRpcRequest request) => JsonSerializer.SerializeToNode(request.Id, McpJson.RequestId);

    /// <summary>A JSON-RPC error frame as the body; <paramref name="reason"/> (and the server it concerns) go in <c>error.data</c> for programs to read.</summary>
    private static Task RefuseAsync(HttpContext context, int status, McpErrorCode code, string message, JsonNode? id = null, string? reason = null, string? server = null)
    {
        var frame = MessageScreening.ErrorFrame(code, message, id);
        if (reason is not null)
        {
            var data = new JsonObject { ["code"] = reason };
            if (server is not null)
            {
                data["server"] = server;
            }

            frame["error"]!["data"] = data;
        }

        return WriteJsonAsync(context, status, frame);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode frame)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), context.RequestAborted).ConfigureAwait(false);
    }
}
