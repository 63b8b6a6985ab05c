namespace McpWarden.Fixture.Http;

/// <summary>
/// DNS-rebinding protection: the fixture listens on loopback only, so a request whose <c>Host</c> or
/// <c>Origin</c> names anything else came from a page that rebound its name to 127.0.0.1, and is refused.
/// </summary>
internal static class LoopbackOnly
{
    public static bool Allows(HttpRequest request) =>
        IsLoopbackName(request.Host.Host)
        && (request.Headers.Origin.Count == 0 || request.Headers.Origin.All(origin => IsLoopbackOrigin(origin)));

    private static bool IsLoopbackOrigin(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && IsLoopbackName(uri.Host);

    private static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host is "127.0.0.1" or "[::1]" or "::1";
}
