namespace McpWarden.Load;

/// <summary>Every measurement of the harness, in the order the usage text lists them.</summary>
internal static class LoadCommands
{
    public static IReadOnlyList<LoadCommand> All { get; } =
    [
        Compare.CompareCommand.Command,
        Rules.RulesCommand.Command,
        HotPath.HotPathCommand.Command,
        Startup.StartupCommand.Command,
        Counters.CountersCommand.Command,
        Sessions.SessionsRun.Command,
    ];
}
