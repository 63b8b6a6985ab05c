namespace McpWarden.Load.Startup;

/// <summary>One way of starting a stdio MCP server: the program, its arguments, and the name the table gives it.</summary>
/// <param name="Name">The table's row, e.g. <c>dotnet mcpwarden.dll</c>.</param>
/// <param name="FileName">What is executed: <c>dotnet</c>, or an apphost.</param>
/// <param name="Arguments">Everything after it.</param>
/// <param name="IsGateway">Whether this is mcpwarden (its upstream child is then a second process, not counted in its CPU).</param>
internal sealed record StartupTarget(string Name, string FileName, IReadOnlyList<string> Arguments, bool IsGateway);
