using Microsoft.AspNetCore.Http;

namespace McpWarden.Ui;

/// <summary>The web UI's session cookie: host-only, secure, HTTP-only and same-site strict.</summary>
internal static class UiCookie
{
    /// <summary>The <c>__Host-</c> prefix makes browsers refuse it unless it is secure, host-only and for every path.</summary>
    public const string Name = "__Host-mcpwarden-session";

    public static void Set(HttpResponse response, string value) => response.Cookies.Append(Name, value, Options());

    public static void Clear(HttpResponse response) => response.Cookies.Delete(Name, Options());

    // Secure even over plain HTTP on loopback: browsers treat localhost and 127.0.0.1 as secure contexts, and
    // anywhere else the gateway belongs behind TLS.
    private static CookieOptions Options() => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
    };
}
