using System.Globalization;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Startup;

/// <summary>
/// <c>load.sh startup</c>: how long <c>mcpwarden stdio</c> takes, from its start, to answer <c>initialize</c>
/// (desktop clients start it for every conversation), and then the first <c>tools/list</c>. See docs/benchmarks.md.
/// </summary>
internal static class StartupCommand
{
    public static LoadCommand Command { get; } = new("startup", "mcpwarden stdio: start until initialize is answered, then the first tools/list", RunAsync);

    private static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args is ["--help" or "-h"])
        {
            await output.WriteLineAsync(StartupOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        if (StartupOptions.Parse(args, out var error) is not { } options)
        {
            await output.WriteLineAsync(error + "\n" + StartupOptions.Usage).ConfigureAwait(false);
            return 2;
        }

        var bin = AppContext.BaseDirectory;
        var fixtureDll = Path.Combine(bin, "mcpwarden-fixture.dll");
        var directory = Directory.CreateTempSubdirectory("mcpwarden-startup-").FullName;
        var instantServer = Path.Combine(bin, "instant-server.mjs");
        var targets = new List<StartupTarget>();
        if (options.Config is { } config)
        {
            AddGateway(targets, "", bin, config, options.Server, options.Published);
        }
        else
        {
            // The fixture is a .NET server that takes longer to start than the budget for the gateway itself; the
            // instant server (Node, no SDK) shows what the gateway's own start costs. Each also runs alone, as the floor.
            AddGateway(targets, " -> fixture", bin, StartupConfig.Write(directory, "fixture", "dotnet", [fixtureDll, "stdio"]), StartupConfig.Server, options.Published);
            AddGateway(targets, " -> instant", bin, StartupConfig.Write(directory, "instant", "node", [instantServer]), StartupConfig.Server, options.Published);
            targets.Add(new("fixture alone", "dotnet", [fixtureDll, "stdio"], IsGateway: false));
            targets.Add(new("instant alone", "node", [instantServer], IsGateway: false));
        }

        await output.WriteLineAsync($"startup: {options.Runs} runs per target after {options.Warmup} warm-up, in {directory}").ConfigureAwait(false);
        await output.WriteLineAsync($"startup: {Environment.ProcessorCount} cores, load average {ProcFs.LoadAverage()}").ConfigureAwait(false);
        // The CPU reading between the two timed answers must not be the one that first asks the kernel's clock tick.
        ProcFs.Prepare();
        var samples = targets.ToDictionary(t => t, _ => new List<StartupSample>());
        var logPath = Path.Combine(directory, "startup.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        await using (log.ConfigureAwait(false))
        {
            try
            {
                for (var run = 0; run < options.Warmup + options.Runs; run++)
                {
                    // Targets take turns, so a burst of load elsewhere on the machine falls on all of them alike.
                    foreach (var target in targets)
                    {
                        log.WriteLine($"# run {run}: {target.Name}");
                        var sample = await StartupProbe.RunAsync(target, directory, log).ConfigureAwait(false);
                        if (run >= options.Warmup)
                        {
                            samples[target].Add(sample);
                        }
                    }
                }
            }
            catch (StartupFailedException e)
            {
                await output.WriteLineAsync($"startup: FAILED: {e.Message}; kept {directory}").ConfigureAwait(false);
                return 1;
            }
        }

        await output.WriteLineAsync(Table(samples)).ConfigureAwait(false);
        await output.WriteLineAsync($"startup: load average after {ProcFs.LoadAverage()}").ConfigureAwait(false);
        if (options.Config is null)
        {
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    /// <summary>The gateway's rows for one configuration: <c>dotnet mcpwarden.dll</c>, the apphost beside it, and a published build if given.</summary>
    private static void AddGateway(List<StartupTarget> targets, string suffix, string bin, string config, string? server, string? published)
    {
        string[] stdio = server is null ? ["stdio", "--config", config] : ["stdio", "--config", config, "--server", server];
        targets.Add(new("dotnet mcpwarden.dll" + suffix, "dotnet", [Path.Combine(bin, "mcpwarden.dll"), .. stdio], IsGateway: true));
        if (File.Exists(Path.Combine(bin, "mcpwarden")))
        {
            targets.Add(new("mcpwarden" + suffix, Path.Combine(bin, "mcpwarden"), stdio, IsGateway: true));
        }

        if (published is not null)
        {
            targets.Add(new($"{Path.GetFileName(published)}/mcpwarden" + suffix, Path.Combine(published, "mcpwarden"), stdio, IsGateway: true));
        }
    }

    private static string Table(Dictionary<StartupTarget, List<StartupSample>> samples)
    {
        var lines = new List<string>
        {
            "                                 |  initialize answered, ms  |  then tools/list, ms      | own CPU ms, p50  | tools",
            "target                           |   min    p50    p95    max |   min    p50    p95    max | to init  to list |",
        };
        foreach (var (target, runs) in samples)
        {
            var cpuInit = Median(runs.Select(s => s.CpuAtInitialize));
            var cpuList = Median(runs.Select(s => s.CpuAtToolsList));
            lines.Add(FormattableString.Invariant(
                $"{target.Name,-32} | {Percentiles.Summary(runs.Select(s => s.Initialize.TotalMilliseconds))} | {Percentiles.Summary(runs.Select(s => s.ToolsList.TotalMilliseconds))} | {cpuInit,7} {cpuList,8} | {runs[0].Tools}"));
        }

        return string.Join('\n', lines);
    }

    private static string Median(IEnumerable<TimeSpan?> values)
    {
        var known = values.Where(v => v is not null).Select(v => v!.Value.TotalMilliseconds).Order().ToArray();
        return known.Length == 0 ? "-" : Percentiles.Of(known, 50).ToString("F0", CultureInfo.InvariantCulture);
    }
}
