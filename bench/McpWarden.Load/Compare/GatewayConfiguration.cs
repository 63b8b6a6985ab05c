using McpWarden.BenchKit;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Compare;

/// <summary>
/// The configuration (b) and (c) run under (docs/configuration.md): the fixture as server <c>bench</c>, reached over
/// HTTP or started over stdio, one grant, the embedded SQLite store beside the file, everything else at its default
/// (audit on, pinning on, the poisoning scan on).
/// </summary>
internal static class GatewayConfiguration
{
    public const string Server = "bench";

    /// <summary>The grant's key; made up per run, never secret.</summary>
    public const string Key = "bench-load-key";

    /// <summary>Writes <c>mcpwarden.json</c> into <paramref name="directory"/> and returns its path.</summary>
    /// <param name="upstream">The fixture's URL for (b); null starts it over stdio for (c) and (e).</param>
    /// <param name="policy">The policy's JSON text.</param>
    /// <param name="shared">For stdio: one process for every session, (e), rather than one per session, (c).</param>
    public static string Write(string directory, string fixtureDll, Uri? upstream, string policy, bool shared = false) =>
        GatewayConfigFile.Write(
            Path.Combine(directory, "mcpwarden.json"),
            Server,
            upstream is null ? GatewayConfigFile.StdioUpstream("dotnet", [fixtureDll, "stdio"], shared) : GatewayConfigFile.HttpUpstream(upstream),
            timeoutSeconds: null,
            policy,
            ("bench-agent", Key),
            "mcpwarden.db");

    /// <summary>
    /// A policy that refuses most calls (echo limited to 5 calls a second, globally), for the self-check that a refused
    /// call fails the run.
    /// </summary>
    public static string RefusingPolicy() =>
        GeneratedPolicies.EchoUnderLimits(50).Replace("\"max\":10000000", "\"max\":5", StringComparison.Ordinal);
}
