using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden audit --config FILE</c>: reads the audit log from the configuration's store, newest first;
/// <c>--json</c> prints one JSON object per line (JSON Lines). It reads while a gateway runs on the same store.
/// </summary>
internal static class AuditCommand
{
    public static async Task<int> RunAsync(string configPath, Func<string, string?> filter, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var loaded = ConfigurationLoader.LoadFile(configPath, Environment.GetEnvironmentVariable);
        if (loaded.Configuration is not { } configuration)
        {
            foreach (var diagnostic in loaded.Diagnostics)
            {
                await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.BadConfiguration;
        }

        var (query, problem) = AuditQueryParser.Parse(filter, TimeProvider.System.GetUtcNow());
        if (query is null)
        {
            await error.WriteLineAsync("audit: " + problem).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        if (StoreOpener.AuditReaderProblem(configuration) is { } unavailable)
        {
            await error.WriteLineAsync("audit: " + unavailable).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        var (opened, storeProblem) = await StoreOpener.OpenAsync(configuration, ephemeral: false, TimeProvider.System).ConfigureAwait(false);
        if (opened is null)
        {
            await error.WriteLineAsync("audit: " + storeProblem).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        await using var stores = opened;
        var records = await stores.Audit.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        foreach (var record in records)
        {
            await output.WriteLineAsync(json ? AuditJson.ToLine(record) : Line(record)).ConfigureAwait(false);
        }

        if (!json)
        {
            await error.WriteLineAsync($"audit: {records.Count} record{(records.Count == 1 ? string.Empty : "s")}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>One readable line: when, who, what, and what was decided why.</summary>
    private static string Line(AuditRecord record)
    {
        var outcome = record.Outcome is { } answered ? $" -> {answered} {record.UpstreamLatency?.TotalMilliseconds:0.#}ms" : string.Empty;
        var observed = record.Mode == "observe" ? " (observe)" : string.Empty;
        return FormattableString.Invariant($"{record.Time.ToUniversalTime():yyyy-MM-ddTHH:mm:ss.fffZ} {record.Grant} {record.Server}/{record.Tool} {record.Decision} {record.Code}{observed}{outcome}  {record.Message}");
    }
}
