using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using McpWarden.Admin;
using McpWarden.Gateway.Fronts.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpWarden.Ui;

/// <summary>
/// The admin web UI under <c>/ui</c>: its embedded files, the login form and the session cookie. The pages
/// themselves use only the admin API, exactly as the CLI does; the cookie stands in for the admin token there.
/// Every answer carries a strict Content-Security-Policy: the UI runs no inline script or style and loads
/// nothing from elsewhere, so injected markup can neither run nor call out.
/// </summary>
internal sealed class UiEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>A login form carries one token; anything much larger is not a login.</summary>
    private const int MaxLoginBodyBytes = 4096;

    private const string MessageMarker = "<!-- message -->";

    private readonly UiAssets _assets;
    private readonly UiSessions _sessions;
    private readonly AdminAuthenticator _tokens;
    private readonly OriginCheck _origins;
    private readonly LoginThrottle _throttle;

    public UiEndpoints(UiAssets assets, UiSessions sessions, AdminAuthenticator tokens, OriginCheck origins, LoginThrottle throttle)
    {
        _assets = assets;
        _sessions = sessions;
        _tokens = tokens;
        _origins = origins;
        _throttle = throttle;
    }

    public void Map(WebApplication app)
    {
        var ui = app.MapGroup("/ui");
        ui.MapGet("/login", (HttpContext context) => Guarded(context, () => LoginPage(context)));
        ui.MapPost("/login", (Func<HttpContext, Task<IResult>>)(context => GuardedAsync(context, () => LoginAsync(context))));
        ui.MapPost("/logout", (HttpContext context) => Guarded(context, () => Logout(context)));
        ui.MapGet("/session", (HttpContext context) => Guarded(context, () => Session(context)));
        // Routing does not tell /ui from /ui/, and the catch-all matches both: one handler decides.
        ui.MapGet("/{**path}", (HttpContext context, string? path) => Guarded(context, () => string.IsNullOrEmpty(path) ? Index(context) : Asset(context, path)));
    }

    private IResult Guarded(HttpContext context, Func<IResult> handle) => HostRefusal(context) ?? handle();

    private async Task<IResult> GuardedAsync(HttpContext context, Func<Task<IResult>> handle) =>
        HostRefusal(context) ?? await handle().ConfigureAwait(false);

    /// <summary>Security headers on every answer, and the Host/Origin check (DNS rebinding) before anything else.</summary>
    private IResult? HostRefusal(HttpContext context)
    {
        AddSecurityHeaders(context.Response);
        return _origins.Refusal(context.Request.Headers.Host, context.Request.Headers.Origin) is { } refusal
            ? Results.Text(refusal, "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden)
            : null;
    }

    private static void AddSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Not no-referrer: under it a browser sends "Origin: null" with the login form, which cannot be told from a
        // sandboxed page of another site. same-origin still tells other sites nothing.
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }

    /// <summary>The app shell, at <c>/ui/</c> (with the slash, so that its relative links resolve under it).</summary>
    private IResult Index(HttpContext context) =>
        !context.Request.Path.Value!.EndsWith('/') ? Results.Redirect("/ui/")
        : _sessions.Find(context.Request.Cookies[UiCookie.Name]) is null ? Results.Redirect("/ui/login")
        : Results.Bytes(_assets.Find("index.html")!.Content, "text/html; charset=utf-8");

    private IResult LoginPage(HttpContext context) =>
        _sessions.Find(context.Request.Cookies[UiCookie.Name]) is not null
            ? Results.Redirect("/ui/")
            : LoginForm(StatusCodes.Status200OK, context.Request.Query.ContainsKey("ended") ? "You have logged out." : null);

    /// <summary>
    /// Checks the token from the form and opens a session. Only a form posted by the login page itself is
    /// accepted (its Origin is this host), so no other site can sign a browser in to a session of its choosing.
    /// </summary>
    private async Task<IResult> LoginAsync(HttpContext context)
    {
        var request = context.Request;
        var address = context.Connection.RemoteIpAddress;
        if (_throttle.WaitFor(address) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return LoginForm(StatusCodes.Status429TooManyRequests, $"Too many failed logins from this address: try again in {Math.Ceiling(wait.TotalSeconds)} seconds.");
        }

        if (!AdminAccess.SameOrigin(request))
        {
            return LoginForm(StatusCodes.Status403Forbidden, "The login must be sent from this gateway's own login page.");
        }

        if (request.ContentLength is null or > MaxLoginBodyBytes || !request.HasFormContentType)
        {
            return LoginForm(StatusCodes.Status400BadRequest, $"The login must be a form of at most {MaxLoginBodyBytes} bytes with the field token.");
        }

        var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var token = form["token"].ToString().Trim();
        var refusal = token.Length == 0 ? "enter the admin token" : _tokens.Refusal("Bearer " + token);
        if (refusal is not null)
        {
            _throttle.Failed(address);
            return LoginForm(StatusCodes.Status401Unauthorized, Sentence(refusal));
        }

        _throttle.Succeeded(address);
        var (cookieValue, _) = _sessions.Open();
        UiCookie.Set(context.Response, cookieValue);
        return Results.Redirect("/ui/");
    }

    private IResult Logout(HttpContext context)
    {
        var cookie = context.Request.Cookies[UiCookie.Name];
        if (_sessions.Find(cookie) is { } session && AdminAccess.ChangeRefusal(context.Request, session) is { } refusal)
        {
            return Results.Json(new JsonObject { ["error"] = refusal }, statusCode: StatusCodes.Status403Forbidden);
        }

        _sessions.Close(cookie);
        UiCookie.Clear(context.Response);
        return Results.NoContent();
    }

    /// <summary>What the page needs to make changes: the session's CSRF token, and when the session ends if unused.</summary>
    private IResult Session(HttpContext context) =>
        _sessions.Find(context.Request.Cookies[UiCookie.Name]) is { } session
            ? Results.Json(new JsonObject
            {
                ["csrfToken"] = session.CsrfToken,
                ["expiresAt"] = session.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
            })
            : Results.Json(new JsonObject { ["error"] = "not logged in" }, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>A script, style sheet or image. Pages other than the app shell and the login form are not served.</summary>
    private IResult Asset(HttpContext context, string path)
    {
        if (_assets.Find(path) is not { IsHtml: false } asset)
        {
            return Results.Text($"no such file in the web UI: /ui/{path}", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        // The files change only with the gateway: revalidate each time, download only when it changed.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        return context.Request.Headers.IfNoneMatch.ToString() == asset.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Content, asset.ContentType);
    }

    private IResult LoginForm(int status, string? message)
    {
        var page = Encoding.UTF8.GetString(_assets.Find("login.html")!.Content);
        var notice = message is null ? string.Empty : $"<p class=\"error-banner\" role=\"alert\">{WebUtility.HtmlEncode(message)}</p>";
        return Results.Text(page.Replace(MessageMarker, notice, StringComparison.Ordinal), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + (text.EndsWith('.') ? string.Empty : ".");
}
