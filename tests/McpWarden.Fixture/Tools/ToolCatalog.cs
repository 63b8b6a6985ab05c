using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Tools;

/// <summary>Every tool the fixture serves, listed in a fixed order and dispatched by name.</summary>
internal sealed class ToolCatalog
{
    private readonly Dictionary<string, FixtureTool> _byName;
    private readonly Tool[] _definitions;
    private readonly CallLog _callLog;

    public ToolCatalog(IEnumerable<FixtureTool> tools, CallLog callLog)
    {
        var all = tools.ToArray();
        _byName = all.ToDictionary(tool => tool.Definition.Name, StringComparer.Ordinal);
        _definitions = [.. all.Select(tool => tool.Definition)];
        _callLog = callLog;
    }

    // A new result each time: the SDK's pipeline may add to or annotate what a handler returns.
    public ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListToolsResult { Tools = [.. _definitions] });

    public async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var name = request.Params?.Name;
        if (name is null || !_byName.TryGetValue(name, out var tool))
        {
            throw new McpProtocolException($"Unknown tool: '{name}'", McpErrorCode.InvalidParams);
        }

        var headers = request.Items.TryGetValue(CallLog.HeadersItem, out var value) ? value as IReadOnlyDictionary<string, string> : null;
        _callLog.Record(request.Params!, request.Server.SessionId, headers);
        return await tool.Invoke(request, cancellationToken);
    }
}
