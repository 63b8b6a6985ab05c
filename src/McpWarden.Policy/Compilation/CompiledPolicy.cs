using System.Collections.Concurrent;
using System.Collections.Frozen;
using McpWarden.Policy.Definitions;
using McpWarden.Policy.Naming;

namespace McpWarden.Policy.Compilation;

/// <summary>
/// An immutable, validated policy ready for the hot path: exact tool names resolve in O(1), patterns in
/// order of specificity. Reload builds a new one and swaps it; this one never changes.
/// </summary>
public sealed class CompiledPolicy
{
    private readonly FrozenDictionary<string, CompiledRule> _exact;
    /// <summary>Most tool names a policy remembers the pattern resolution of; past it, patterns are scanned each time.</summary>
    private const int MaxMemoizedNames = 4096;

    private readonly (ToolPattern Pattern, CompiledRule Rule)[] _patterns;

    // A memo, not state: a name always resolves to the same rule in one policy. It keeps resolution O(1)
    // however many patterns there are, for the bounded set of names the servers' tool lists contain.
    private readonly ConcurrentDictionary<string, CompiledRule> _resolvedByPattern = new(StringComparer.Ordinal);

    internal CompiledPolicy(string revision, CompiledRule defaultRule, IReadOnlyList<CompiledRule> rules)
    {
        Revision = revision;
        Default = defaultRule;
        Rules = rules;
        _exact = rules.Where(r => !ToolPattern.IsPattern(r.Key)).ToFrozenDictionary(r => r.Key, StringComparer.Ordinal);
        // INVARIANT: patterns are ordered most literal characters first; the validator refused ties that can overlap.
        _patterns = rules.Where(r => ToolPattern.IsPattern(r.Key))
            .Select(r => (new ToolPattern(r.Key), r))
            .OrderByDescending(p => p.Item1.LiteralCount)
            .ToArray();
    }

    /// <summary>Identifies this policy's content (SHA-256 of its canonical JSON): approvals bind to it.</summary>
    public string Revision { get; }

    /// <summary>The rule for tools that no key matches.</summary>
    public CompiledRule Default { get; }

    /// <summary>Every rule in document order.</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>The rule that governs a tool name (already NFC): exact key, else most specific pattern, else the default.</summary>
    public CompiledRule Resolve(string tool)
    {
        if (_exact.TryGetValue(tool, out var rule))
        {
            return rule;
        }

        if (_patterns.Length == 0)
        {
            return Default;
        }

        if (_resolvedByPattern.TryGetValue(tool, out rule))
        {
            return rule;
        }

        rule = ResolvePattern(tool);
        if (_resolvedByPattern.Count < MaxMemoizedNames)
        {
            _resolvedByPattern.TryAdd(tool, rule);
        }

        return rule;
    }

    private CompiledRule ResolvePattern(string tool)
    {
        foreach (var (pattern, patternRule) in _patterns)
        {
            if (pattern.Matches(tool))
            {
                return patternRule;
            }
        }

        return Default;
    }

    /// <summary>Whether <c>tools/list</c> hides a tool: its effective action is deny, or its name is unusable.</summary>
    public bool Hides(string tool) => ToolNames.Problem(tool) is not null || Resolve(tool).Action == PolicyAction.Deny;
}
