using System.Diagnostics.CodeAnalysis;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// How the names of several servers share one namespace on the aggregated endpoint: <c>{server}__{name}</c>.
/// Server names never contain <c>__</c> (the configuration refuses them), so the first <c>__</c> ends the
/// server's name and everything after it, <c>__</c> included, is the server's own name for the tool or prompt.
/// </summary>
internal static class AggregateNames
{
    public const string Separator = "__";

    public static string Prefixed(string server, string name) => server + Separator + name;

    /// <summary>Splits at the first separator; false when there is none or nothing before it.</summary>
    public static bool TrySplit(string prefixed, [NotNullWhen(true)] out string? server, [NotNullWhen(true)] out string? name)
    {
        var at = prefixed.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0)
        {
            (server, name) = (null, null);
            return false;
        }

        (server, name) = (prefixed[..at], prefixed[(at + Separator.Length)..]);
        return true;
    }
}
