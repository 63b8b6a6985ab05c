using System.Net;

namespace McpWarden.Gateway.Upstreams;

/// <summary>
/// The cookies of one upstream session, over a connection pool that many sessions share: what a server sets in
/// one client's session is sent back in that session only, as when every session had a handler of its own. The
/// container exists only once the server sets a cookie; most never do.
/// </summary>
internal sealed class SessionCookieHandler : HttpMessageHandler
{
    private readonly HttpMessageInvoker _pool;
    private CookieContainer? _cookies;

    /// <param name="pool">The shared handler, which must keep no cookies itself; it is not disposed with this one.</param>
    public SessionCookieHandler(HttpMessageHandler pool)
    {
        _pool = new HttpMessageInvoker(pool, disposeHandler: false);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Volatile.Read(ref _cookies) is { } cookies && request.RequestUri is { } target && cookies.GetCookieHeader(target) is { Length: > 0 } header)
        {
            // Beside any Cookie header the server's configuration sets, as the handler's own container would add it.
            request.Headers.TryAddWithoutValidation("Cookie", header);
        }

        var response = await _pool.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Headers.TryGetValues("Set-Cookie", out var values) && (response.RequestMessage?.RequestUri ?? request.RequestUri) is { } from)
        {
            var container = Volatile.Read(ref _cookies) ?? Interlocked.CompareExchange(ref _cookies, new CookieContainer(), null) ?? _cookies!;
            foreach (var value in values)
            {
                try
                {
                    container.SetCookies(from, value);
                }
                catch (CookieException)
                {
                    // A cookie the container will not take is ignored, as the handler's own container ignores it.
                }
            }
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        // The pool outlives every session: only the invoker around it goes.
        if (disposing)
        {
            _pool.Dispose();
        }

        base.Dispose(disposing);
    }
}
