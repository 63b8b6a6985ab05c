using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Tools;

/// <summary>A tool as listed (its definition, schema kept exactly as written) and what runs when it is called.</summary>
internal sealed record FixtureTool(Tool Definition, McpRequestHandler<CallToolRequestParams, CallToolResult> Invoke);
