using System.Security.Cryptography;
using System.Text;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Scanning;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// The poisoning scan's findings for definitions already scanned, so that a list read again (every client's
/// <c>tools/list</c>, every refresh) is not scanned again. The key is the whole entry as the server sent it (the
/// scan reads more than the pin covers: <c>outputSchema</c>) and the scan's context (the other servers' tool
/// names, for shadowing), both hashed. Bounded: when full it starts afresh, which costs only rescans.
/// </summary>
internal sealed class ScanCache
{
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IReadOnlyList<ScanFinding>> _findings = new(StringComparer.Ordinal);

    public ScanCache(int capacity = 4096) => _capacity = capacity;

    /// <summary>A digest of what the scan knows beyond one definition: whose tool it is and every other server's tool names.</summary>
    public static string ContextKey(ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var text = new StringBuilder().Append(context.Server).Append('\0');
        foreach (var (server, tools) in context.OtherServersTools.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            text.Append(server).Append('\u0001');
            foreach (var tool in tools.Order(StringComparer.Ordinal))
            {
                text.Append(tool).Append('\u0002');
            }
        }

        foreach (var tool in context.OwnTools.Order(StringComparer.Ordinal))
        {
            text.Append('\u0003').Append(tool);
        }

        return Hash(text.ToString());
    }

    /// <summary>The key of <paramref name="tool"/>'s findings in the context whose <see cref="ContextKey"/> is given.</summary>
    public static string Key(ToolDefinition tool, string contextKey)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return contextKey + ":" + Hash(tool.Json.GetRawText());
    }

    public bool TryGet(string key, out IReadOnlyList<ScanFinding> findings)
    {
        lock (_lock)
        {
            if (_findings.TryGetValue(key, out var known))
            {
                findings = known;
                return true;
            }
        }

        findings = [];
        return false;
    }

    public void Add(string key, IReadOnlyList<ScanFinding> findings)
    {
        lock (_lock)
        {
            if (_findings.Count >= _capacity)
            {
                _findings.Clear();
            }

            _findings[key] = findings;
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
