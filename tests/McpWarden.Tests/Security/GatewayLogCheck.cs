using System.Text.RegularExpressions;

namespace McpWarden.Tests.Security;

/// <summary>
/// What an unhandled exception leaves in a gateway's log (the simple console format, one line per event):
/// a line at level <c>fail</c> or <c>crit</c>, the runtime's "Unhandled exception", or a stack frame
/// ("at Namespace.Type.Method(...)"). A refused message is logged at <c>warn</c> or <c>info</c>, never so.
/// What an upstream server writes to its standard error is relayed into the log as <c>info</c> lines
/// (<c>NAME stderr: "..."</c>): that is the server's trouble, not the gateway's, and is not counted.
/// </summary>
internal static partial class GatewayLogCheck
{
    /// <summary>The lines of <paramref name="log"/> that show an unhandled exception.</summary>
    public static IReadOnlyList<string> UnhandledExceptions(string log) =>
        [.. log.Split('\n').Where(line => Signature().IsMatch(line) && !ServerStandardError().IsMatch(line))];

    [GeneratedRegex(@"^(fail|crit): |Unhandled exception|\bat [A-Za-z_][\w.`<>+]*\.[\w`<>|]+\(", RegexOptions.CultureInvariant)]
    private static partial Regex Signature();

    [GeneratedRegex(@"^info: McpWarden\.Gateway\.Upstreams\.UpstreamTransportFactory\[\d+\] \S+ stderr: ", RegexOptions.CultureInvariant)]
    private static partial Regex ServerStandardError();
}
