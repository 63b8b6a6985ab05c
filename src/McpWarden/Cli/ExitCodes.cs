namespace McpWarden.Cli;

/// <summary>The exit statuses of every command (docs/cli.md).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Invalid input, or a test that failed.</summary>
    public const int Invalid = 1;

    /// <summary>The gateway cannot start: its configuration is bad.</summary>
    public const int BadConfiguration = 2;
}
