namespace McpWarden.Load;

/// <summary>One measurement the harness can run: <c>load.sh NAME [options]</c>.</summary>
/// <param name="Name">The word on the command line.</param>
/// <param name="Summary">One line for the usage text.</param>
/// <param name="RunAsync">Runs with the remaining arguments; returns the exit code (0 measured and within its bounds, 1 a bound failed, 2 a bad command line).</param>
internal sealed record LoadCommand(string Name, string Summary, Func<string[], TextWriter, Task<int>> RunAsync);
