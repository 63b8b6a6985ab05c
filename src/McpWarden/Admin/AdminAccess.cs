using McpWarden.Gateway.Fronts.Http;
using McpWarden.Ui;
using Microsoft.AspNetCore.Http;

namespace McpWarden.Admin;

/// <summary>
/// Who may use the admin API, decided per request: first the Host/Origin check every endpoint has, then either
/// the admin token (<c>Authorization: Bearer</c>, as the CLI and scripts send it) or a web UI session cookie.
/// A cookie is sent by the browser on its own, so a request it authenticates must also prove it comes from the
/// UI's own page: the same origin, and for every change the session's CSRF token in <c>X-CSRF-Token</c>.
/// </summary>
internal sealed class AdminAccess
{
    public const string CsrfHeader = "X-CSRF-Token";

    private readonly OriginCheck _origins;
    private readonly AdminAuthenticator _tokens;
    private readonly UiSessions _sessions;

    public AdminAccess(OriginCheck origins, AdminAuthenticator tokens, UiSessions sessions)
    {
        _origins = origins;
        _tokens = tokens;
        _sessions = sessions;
    }

    /// <summary>Null when the request may go on; otherwise the status and why not.</summary>
    public (int Status, string Reason)? Refusal(HttpContext context)
    {
        var request = context.Request;
        if (_origins.Refusal(request.Headers.Host, request.Headers.Origin) is { } hostRefusal)
        {
            return (StatusCodes.Status403Forbidden, hostRefusal);
        }

        // An explicit token wins: a script that sends one is judged by it, whatever cookies it also carries.
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0 || !request.Cookies.ContainsKey(UiCookie.Name))
        {
            return _tokens.Refusal(authorization) is { } tokenRefusal ? (StatusCodes.Status401Unauthorized, tokenRefusal) : null;
        }

        if (_sessions.Find(request.Cookies[UiCookie.Name]) is not { } session)
        {
            return (StatusCodes.Status401Unauthorized, "the web UI session has ended: log in again");
        }

        return ChangeRefusal(request, session) is { } changeRefusal ? (StatusCodes.Status403Forbidden, changeRefusal) : null;
    }

    /// <summary>Why a cookie-authenticated request may not change anything, or null when it may (or changes nothing).</summary>
    public static string? ChangeRefusal(HttpRequest request, UiSession session)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return null;
        }

        if (!SameOrigin(request))
        {
            return "a change made with the web UI's session must come from the UI's own page (its Origin must be this gateway)";
        }

        return UiSessions.CsrfMatches(session, request.Headers[CsrfHeader].ToString())
            ? null
            : $"a change made with the web UI's session needs the session's CSRF token in {CsrfHeader}";
    }

    /// <summary>Whether the browser says the request comes from a page of this very host (scheme aside, as TLS may end in front).</summary>
    public static bool SameOrigin(HttpRequest request) =>
        Uri.TryCreate(request.Headers.Origin.ToString(), UriKind.Absolute, out var origin) &&
        string.Equals(origin.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
