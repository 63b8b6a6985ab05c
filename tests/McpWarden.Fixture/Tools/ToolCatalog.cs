using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Tools;

/// <summary>
/// Every tool the fixture serves, listed in a fixed order and dispatched by name. For pinning tests a tool's
/// description can be swapped: before the process starts (<c>FIXTURE_DESCRIBE</c>) or while it runs (the
/// <c>redescribe_tool</c> tool, served only when <c>FIXTURE_REDESCRIBE=1</c>, which then announces the change).
/// </summary>
internal sealed class ToolCatalog
{
    /// <summary><c>TOOL=TEXT</c>: the tool is listed with that description instead of its own (one per line for several).</summary>
    public const string DescribeVariable = "FIXTURE_DESCRIBE";

    /// <summary><c>1</c>: the <c>redescribe_tool</c> tool is served.</summary>
    public const string RedescribeVariable = "FIXTURE_REDESCRIBE";

    /// <summary><c>TOOL=TEXT</c>: right after the tool, a second definition under the same name with that description is listed.</summary>
    public const string DuplicateVariable = "FIXTURE_DUPLICATE";

    /// <summary><c>NAME=TOOL</c>: the tool is also served under another name (one that holds a <c>/</c>, say).</summary>
    public const string AliasVariable = "FIXTURE_ALIAS";

    private readonly Dictionary<string, FixtureTool> _byName;
    private readonly Tool[] _definitions;
    private readonly CallLog _callLog;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _descriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _duplicates = new(StringComparer.Ordinal);

    public ToolCatalog(IEnumerable<FixtureTool> tools, CallLog callLog)
        : this(tools, callLog, Environment.GetEnvironmentVariable(DescribeVariable), Environment.GetEnvironmentVariable(RedescribeVariable) == "1")
    {
    }

    private ToolCatalog(IEnumerable<FixtureTool> tools, CallLog callLog, string? describe, bool redescribe)
    {
        var all = tools.ToList();
        if (redescribe)
        {
            all.Add(RedescribeTool());
        }

        foreach (var (alias, original) in Pairs(Environment.GetEnvironmentVariable(AliasVariable)))
        {
            if (all.FirstOrDefault(tool => tool.Definition.Name == original) is { } aliased)
            {
                var definition = aliased.Definition;
                all.Add(new FixtureTool(
                    new Tool { Name = alias, Title = definition.Title, Description = definition.Description, InputSchema = definition.InputSchema, OutputSchema = definition.OutputSchema, Annotations = definition.Annotations },
                    aliased.Invoke));
            }
        }

        foreach (var (tool, description) in Pairs(Environment.GetEnvironmentVariable(DuplicateVariable)))
        {
            _duplicates[tool] = description;
        }

        _byName = all.ToDictionary(tool => tool.Definition.Name, StringComparer.Ordinal);
        _definitions = [.. all.Select(tool => tool.Definition)];
        _callLog = callLog;
        foreach (var (tool, description) in Pairs(describe))
        {
            _descriptions[tool] = description;
        }
    }

    /// <summary>The <c>KEY=VALUE</c> lines of a variable.</summary>
    private static IEnumerable<(string Key, string Value)> Pairs(string? variable)
    {
        foreach (var line in (variable ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                yield return (line[..equals], line[(equals + 1)..]);
            }
        }
    }

    /// <summary>Whether the <c>redescribe_tool</c> tool is served (the server then declares <c>tools.listChanged</c>).</summary>
    public bool Mutable => _byName.ContainsKey("redescribe_tool");

    // A new result each time: the SDK's pipeline may add to or annotate what a handler returns.
    public ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(new ListToolsResult { Tools = [.. _definitions.SelectMany(WithDuplicate)] });
        }
    }

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

    private IEnumerable<Tool> WithDuplicate(Tool tool)
    {
        yield return Described(tool);
        if (_duplicates.TryGetValue(tool.Name, out var description))
        {
            yield return new Tool { Name = tool.Name, Title = tool.Title, Description = description, InputSchema = tool.InputSchema, OutputSchema = tool.OutputSchema, Annotations = tool.Annotations };
        }
    }

    private Tool Described(Tool tool) => _descriptions.TryGetValue(tool.Name, out var description)
        ? new Tool { Name = tool.Name, Title = tool.Title, Description = description, InputSchema = tool.InputSchema, OutputSchema = tool.OutputSchema, Annotations = tool.Annotations, Icons = tool.Icons, Meta = tool.Meta }
        : tool;

    /// <summary>Changes a tool's description, then tells the client its tool list changed.</summary>
    private FixtureTool RedescribeTool() => new(
        new Tool
        {
            Name = "redescribe_tool",
            Description = "Test only: changes the description of another tool of this server and announces notifications/tools/list_changed.",
            InputSchema = Schemas.Parse("""
                {"type":"object","properties":{"tool":{"type":"string"},"description":{"type":"string"}},"required":["tool","description"],"additionalProperties":false}
                """),
        },
        async (request, cancellationToken) =>
        {
            var arguments = request.Params?.Arguments;
            var tool = arguments is not null && arguments.TryGetValue("tool", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : string.Empty;
            var description = arguments is not null && arguments.TryGetValue("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : string.Empty;
            if (!_byName.ContainsKey(tool))
            {
                return ToolResults.Text($"no tool named {tool}");
            }

            lock (_gate)
            {
                _descriptions[tool] = description;
            }

            await request.Server.SendNotificationAsync(NotificationMethods.ToolListChangedNotification, cancellationToken);
            return ToolResults.Text($"{tool} redescribed");
        });
}
