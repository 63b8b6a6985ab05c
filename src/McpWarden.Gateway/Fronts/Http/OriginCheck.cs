using System.Net;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// Host and Origin validation against DNS rebinding: a web page must not reach a gateway on the user's
/// machine through a name that resolves to loopback. On a loopback address the <c>Host</c> must name
/// loopback (<c>localhost</c>, 127.0.0.0/8, <c>::1</c>). An <c>Origin</c>, when a browser sends one, must
/// be an http(s) origin on a loopback host when the gateway listens on loopback, and on the same host as
/// <c>Host</c> otherwise (where every caller also needs a grant's key).
/// </summary>
public sealed class OriginCheck
{
    private readonly bool _loopbackOnly;

    /// <param name="loopbackOnly">True when the gateway listens only on loopback addresses.</param>
    public OriginCheck(bool loopbackOnly) => _loopbackOnly = loopbackOnly;

    /// <summary>Null when the request may proceed; otherwise why it may not.</summary>
    public string? Refusal(string? host, string? origin)
    {
        if (string.IsNullOrEmpty(host) || HostName(host) is not { } hostName)
        {
            return "the request has no valid Host header";
        }

        if (_loopbackOnly && !IsLoopback(hostName))
        {
            return $"the Host {Quoted(host)} is not a loopback name; this gateway listens on loopback only";
        }

        if (string.IsNullOrEmpty(origin))
        {
            return null;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri) || originUri.Scheme is not ("http" or "https"))
        {
            return $"the Origin {Quoted(origin)} is not an http or https origin";
        }

        var originHost = originUri.IdnHost;
        return _loopbackOnly
            ? IsLoopback(originHost) ? null : $"the Origin {Quoted(origin)} is not on a loopback host"
            : string.Equals(originHost, hostName, StringComparison.OrdinalIgnoreCase) ? null : $"the Origin {Quoted(origin)} does not match the Host {Quoted(host)}";
    }

    /// <summary>True for names and addresses that can only mean this machine.</summary>
    public static bool IsLoopback(string host)
    {
        var bare = host.Trim('[', ']');
        return string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }

    private static string? HostName(string host) =>
        Uri.TryCreate("http://" + host, UriKind.Absolute, out var uri) && uri.PathAndQuery == "/" && uri.UserInfo.Length == 0 ? uri.IdnHost : null;

    private static string Quoted(string value) => Policy.Json.JsonText.Quote(value.Length > 200 ? value[..200] : value);
}
