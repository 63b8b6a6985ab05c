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
        var pinRecords = pins is null ? [] : await pins.ListAsync(null, cancellationToken).ConfigureAwait(false);
        var report = InventoryAssembler.Assemble(allServers, probed, pinRecords);
        var wanted = servers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return new InventoryReport([.. report.Servers.Where(s => wanted.Contains(s.Name))]);
    }

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
