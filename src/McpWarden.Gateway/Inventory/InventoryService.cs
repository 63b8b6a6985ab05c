using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Pinning;

namespace McpWarden.Gateway.Inventory;

/// <summary>
/// Builds the inventory of configured servers: probes them in parallel (each with its own timeout, a failure
/// reported and the rest still listed), reads the pins (never writes one), and assembles the report.
/// </summary>
public sealed class InventoryService
{
    /// <summary>Most servers probed at once: each may be a child process starting up.</summary>
    public const int MaxParallelProbes = 8;

    private readonly UpstreamProbe _probe;

    public InventoryService(UpstreamProbe probe) => _probe = probe;

    /// <param name="servers">The servers to list, in the order to report them.</param>
    /// <param name="allServers">Every configured server: the others' tool names are what shadowing is checked against.</param>
    /// <param name="pins">Where the pins are read; null when there is no store yet (every tool is then unpinned).</param>
    public async Task<InventoryReport> BuildAsync(IReadOnlyList<ServerDefinition> servers, IReadOnlyList<ServerDefinition> allServers, IPinStore? pins, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(allServers);
        var probed = await ProbeAllAsync(allServers, cancellationToken).ConfigureAwait(false);
        return await AssembleAsync(servers, allServers, probed, pins, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The report from probes already taken (kept ones, say), with the pins read now.</summary>
    /// <param name="probed">A probe of every server in <paramref name="allServers"/>.</param>
    public static async Task<InventoryReport> AssembleAsync(IReadOnlyList<ServerDefinition> servers, IReadOnlyList<ServerDefinition> allServers, IReadOnlyList<ProbedServer> probed, IPinStore? pins, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(allServers);
        ArgumentNullException.ThrowIfNull(probed);
        var pinRecords = pins is null ? [] : await pins.ListAsync(null, cancellationToken).ConfigureAwait(false);
        var report = InventoryAssembler.Assemble(allServers, probed, pinRecords);
        var wanted = servers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return new InventoryReport([.. report.Servers.Where(s => wanted.Contains(s.Name))]);
    }

    /// <summary>One server's probe.</summary>
    public Task<ProbedServer> ProbeAsync(ServerDefinition server, CancellationToken cancellationToken) => _probe.ProbeAsync(server, cancellationToken);

    /// <summary>Every server's probe, in the order given.</summary>
    public async Task<IReadOnlyList<ProbedServer>> ProbeAllAsync(IReadOnlyList<ServerDefinition> servers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var results = new ProbedServer[servers.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, servers.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelProbes, CancellationToken = cancellationToken },
            async (i, token) => results[i] = await _probe.ProbeAsync(servers[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }
}
