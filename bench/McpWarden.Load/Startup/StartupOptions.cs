using System.Globalization;

namespace McpWarden.Load.Startup;

/// <summary>What one <c>load.sh startup</c> run does; every field has an option (see <see cref="Usage"/>).</summary>
internal sealed record StartupOptions
{
    public const string Usage = """
        usage: bench/load.sh startup [--runs 30] [--warmup 2] [--config PATH --server NAME] [--published DIR]
          Starts `mcpwarden stdio` as a desktop client does, writes initialize to its input at once, and times the
          answer from the process's start; then notifications/initialized + the first tools/list, timed apart.
          Targets, run in turn so a busy machine slows all alike:
            dotnet mcpwarden.dll   the built Release dll beside the harness: `dotnet mcpwarden.dll stdio ...`
            mcpwarden (apphost)    the native launcher the build writes beside it, what users run
            published DIR          --published: `DIR/mcpwarden stdio ...`, e.g. a ReadyToRun publish
            fixture alone          `dotnet mcpwarden-fixture.dll stdio`: the upstream's own start, the floor
          --runs     measured starts per target (default 30), after --warmup unmeasured ones (default 2)
          --config   a configuration of your own (default: one written in a temporary directory: the fixture
                     over stdio, a 50-rule policy, the SQLite store there); --server names the server to serve
        """;

    public int Runs { get; init; } = 30;

    public int Warmup { get; init; } = 2;

    public string? Config { get; init; }

    public string? Server { get; init; }

    public string? Published { get; init; }

    public static StartupOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new StartupOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--runs" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs > 0:
                    options = options with { Runs = runs };
                    i++;
                    break;
                case "--warmup" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var warmup):
                    options = options with { Warmup = warmup };
                    i++;
                    break;
                case "--config" when value is not null:
                    options = options with { Config = Path.GetFullPath(value) };
                    i++;
                    break;
                case "--server" when value is not null:
                    options = options with { Server = value };
                    i++;
                    break;
                case "--published" when value is not null:
                    options = options with { Published = Path.GetFullPath(value) };
                    i++;
                    break;
                default:
                    error = $"startup: unknown or incomplete option \"{args[i]}\"";
                    return null;
            }
        }

        return options;
    }
}
