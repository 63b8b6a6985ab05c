using System.Collections.Frozen;

namespace McpWarden.Policy.Evaluation;

/// <summary>
/// The tools a server has, as of its most recent <c>tools/list</c> answer seen by the gateway. A call to
/// a tool not in the snapshot is <c>unknown_tool</c>. Immutable: a refreshed list is a new snapshot.
/// </summary>
public sealed class ToolSnapshot
{
    private readonly FrozenDictionary<string, ListedTool> _tools;
    private readonly bool _listsEverything;

    private ToolSnapshot(FrozenDictionary<string, ListedTool> tools, bool listsEverything)
    {
        _tools = tools;
        _listsEverything = listsEverything;
    }

    /// <summary>
    /// A snapshot in which every tool exists with no schema of its own: for stateless questions such as
    /// <c>mcpwarden explain</c> and test files that list no tools.
    /// </summary>
    public static ToolSnapshot Everything { get; } = new(FrozenDictionary<string, ListedTool>.Empty, listsEverything: true);

    public static ToolSnapshot Of(IEnumerable<ListedTool> tools)
    {
        var byName = new Dictionary<string, ListedTool>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            // A server that lists one name twice gets the first definition; the catalogue reports the rest.
            byName.TryAdd(tool.Name, tool);
        }

        return new ToolSnapshot(byName.ToFrozenDictionary(StringComparer.Ordinal), listsEverything: false);
    }

    public IEnumerable<ListedTool> Tools => _tools.Values;

    public bool TryGet(string name, out ListedTool? tool)
    {
        if (_tools.TryGetValue(name, out tool))
        {
            return true;
        }

        if (_listsEverything)
        {
            tool = null;
            return true;
        }

        return false;
    }
}
