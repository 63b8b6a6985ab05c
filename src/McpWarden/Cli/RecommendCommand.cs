using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Recommendation;
using McpWarden.Gateway.Inventory;
using McpWarden.Gateway.Upstreams;
using McpWarden.Policy;
using McpWarden.Policy.Json;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden recommend --config FILE [--server NAME]</c>: asks one server for its tools, classifies them and
/// prints the policy to start from, in the seed format, on standard output and nothing else there (notes go to
/// standard error). Without <c>--server</c> the configuration must have exactly one server: a policy is per
/// server, and guessing which was meant would put the wrong policy in front of someone (exit 2, naming them).
/// A server that cannot be listed exits 1 with its error; so does a recommendation that would not load.
/// </summary>
internal static class RecommendCommand
{
    public static async Task<int> RunAsync(string configPath, string? serverName, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (configuration, servers, status) = await InventoryCommand.SelectAsync("recommend", configPath, serverName, error).ConfigureAwait(false);
        if (configuration is null)
        {
            return status;
        }

        if (servers.Count != 1)
        {
            await error.WriteLineAsync($"recommend: the configuration has {servers.Count} servers ({InventoryCommand.Names(configuration)}); name the one to recommend a policy for with --server NAME").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        var server = servers[0];
        using var loggers = InventoryCommand.Loggers();
        using var transports = new UpstreamTransportFactory(Environment.GetEnvironmentVariable, loggers);
        var probe = new UpstreamProbe(transports, TimeProvider.System);
        var probed = await probe.ProbeAsync(server, cancellationToken).ConfigureAwait(false);
        if (probed.Error is { } problem || probed.Context is not { } context)
        {
            await error.WriteLineAsync($"recommend: {probed.Error}").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        var tools = InventoryAssembler.ToolsOf(probed.Pages)
            .Select(tool => new ClassifiedTool(tool, RiskClassifier.Classify(tool, context)))
            .ToList();
        var policy = PolicyRecommender.Recommend(context, tools);

        // Fail closed: a recommendation that would not load is not printed for someone to install.
        using var document = SourceDocument.Parse($"recommendation for {server.Name}", policy);
        var loaded = PolicyLoader.Load(document);
        if (!loaded.Succeeded)
        {
            foreach (var diagnostic in loaded.Diagnostics)
            {
                await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }

            await error.WriteLineAsync($"recommend: the policy recommended for {server.Name} does not load; nothing was printed").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        await output.WriteLineAsync(policy.TrimEnd()).ConfigureAwait(false);
        await error.WriteLineAsync($"recommend: {tools.Count} tool{(tools.Count == 1 ? string.Empty : "s")} of {server.Name} classified{(probed.Truncated ? $" (only the first {UpstreamProbe.MaxPages} pages of tools)" : string.Empty)}; review the policy, then check it with mcpwarden check").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
