namespace McpWarden.Admin;

/// <summary>
/// The server and tool of <c>POST /api/pins/{server}/{tool}/accept</c>, read from the request target as sent.
/// A tool name may hold <c>/</c>: the tool is every segment between the server and the final <c>accept</c>,
/// each percent-decoded, joined with <c>/</c>. Decoding the raw target (not the routed path, where ASP.NET keeps
/// <c>%2F</c> undecoded) makes <c>a/b</c> and <c>a%2Fb</c> the same name, and <c>a%252Fb</c> the name <c>a%2Fb</c>.
/// </summary>
internal static class PinTarget
{
    public static (string Server, string Tool)? Parse(string rawTarget)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? rawTarget : rawTarget[..query];
        var segments = path.Split('/');
        string[] decoded;
        try
        {
            decoded = [.. segments.Select(Uri.UnescapeDataString)];
        }
        catch (UriFormatException)
        {
            return null;
        }

        // .../api/pins/{server}/{tool...}/accept: the first "api", "pins" pair starts it.
        for (var i = 0; i + 4 < decoded.Length; i++)
        {
            if (decoded[i] == "api" && decoded[i + 1] == "pins")
            {
                var server = decoded[i + 2];
                var tool = decoded[(i + 3)..^1];
                return decoded[^1] == "accept" && server.Length > 0 && tool.Length > 0 && string.Join('/', tool) is { Length: > 0 } name
                    ? (server, name)
                    : null;
            }
        }

        return null;
    }
}
