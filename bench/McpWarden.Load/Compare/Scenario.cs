namespace McpWarden.Load.Compare;

/// <summary>One way of reaching the fixture's <c>echo</c>, as the issue letters them.</summary>
/// <param name="Letter">a, b, c or d as the issue letters them; e the gateway sharing its stdio server as (d) does.</param>
/// <param name="Title">What the clients speak to, in a few words (table and plot).</param>
/// <param name="Description">The whole set-up, for the report.</param>
internal sealed record Scenario(char Letter, string Title, string Description)
{
    public static readonly Scenario Direct = new('a', "fixture over HTTP, directly",
        "mcpwarden-fixture http; the clients call it directly");

    public static readonly Scenario GatewayHttp = new('b', "McpWarden → fixture over HTTP",
        "mcpwarden serve (SQLite store, audit on, a 50-rule policy: echo under two limits and an argument schema) → a separate mcpwarden-fixture http");

    public static readonly Scenario GatewayStdio = new('c', "McpWarden → fixture over stdio",
        "mcpwarden serve (the same configuration as b) → mcpwarden-fixture stdio, one child process per client session");

    public static readonly Scenario McpProxy = new('d', "mcp-proxy → fixture over stdio",
        "node mcp-proxy (npm, defaults; no policy) → mcpwarden-fixture stdio, one child process shared by every session");

    public static readonly Scenario GatewayStdioShared = new('e', "McpWarden → fixture over stdio, shared",
        "mcpwarden serve (the same configuration as b, the server \"shared\": true) → mcpwarden-fixture stdio, one child process shared by every session, as (d)");

    public static IReadOnlyList<Scenario> All { get; } = [Direct, GatewayHttp, GatewayStdio, McpProxy, GatewayStdioShared];

    public string Label => $"({Letter})";
}
