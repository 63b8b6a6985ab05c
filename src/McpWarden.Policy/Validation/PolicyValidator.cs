using McpWarden.Policy.Compilation;
using McpWarden.Policy.Definitions;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using McpWarden.Policy.Parsing;

namespace McpWarden.Policy.Validation;

/// <summary>
/// The checks that look across rules: limits that share a counter must agree, and two patterns that can
/// match the same tool must not be equally specific (which one applies would otherwise be arbitrary).
/// </summary>
public static class PolicyValidator
{
    public static void Validate(PolicyDefinition policy, DiagnosticSink sink)
    {
        CheckSharedCounters(policy, sink);
        CheckPatternTies(policy, sink);
    }

    private static void CheckSharedCounters(PolicyDefinition policy, DiagnosticSink sink)
    {
        var first = new Dictionary<string, LimitDefinition>(StringComparer.Ordinal);
        foreach (var rule in policy.Rules)
        {
            var inThisRule = new HashSet<string>(StringComparer.Ordinal);
            foreach (var limit in rule.Limits)
            {
                if (!first.TryGetValue(limit.Counter, out var original))
                {
                    first[limit.Counter] = limit;
                    inThisRule.Add(limit.Counter);
                    continue;
                }

                var disagreement = Disagreement(original, limit);
                if (disagreement is not null)
                {
                    sink.Error(DiagnosticCodes.CounterConflict, limit.Path, $"counter {JsonText.Quote(limit.Counter)} is also defined at {JsonPointer.Display(original.Path)}, but {disagreement}; limits that share a counter share one budget and must agree");
                }
                else if (!inThisRule.Add(limit.Counter))
                {
                    sink.Warning(DiagnosticCodes.DuplicateCounterInRule, limit.Path, $"counter {JsonText.Quote(limit.Counter)} appears twice in this rule; a call consumes it once");
                }
            }
        }
    }

    private static string? Disagreement(LimitDefinition a, LimitDefinition b)
    {
        if (a.Window != b.Window)
        {
            return $"the window differs ({PolicyParser.FormatSeconds(a.Window)}s there, {PolicyParser.FormatSeconds(b.Window)}s here)";
        }

        if (a.Max != b.Max)
        {
            return $"max differs ({a.Max} there, {b.Max} here)";
        }

        if (a.Scope != b.Scope)
        {
            return $"the scope differs ({a.Scope.ToString().ToLowerInvariant()} there, {b.Scope.ToString().ToLowerInvariant()} here)";
        }

        if (!string.Equals(a.By, b.By, StringComparison.Ordinal))
        {
            return $"\"by\" differs ({QuoteOrNone(a.By)} there, {QuoteOrNone(b.By)} here)";
        }

        if (!string.Equals(a.Cost, b.Cost, StringComparison.Ordinal))
        {
            return $"\"cost\" differs ({QuoteOrNone(a.Cost)} there, {QuoteOrNone(b.Cost)} here)";
        }

        return null;
    }

    /// <summary>A user's value as every message shows one: quoted, hidden characters escaped, shortened.</summary>
    private static string QuoteOrNone(string? value) => value is null ? "none" : JsonText.Quote(value);

    private static void CheckPatternTies(PolicyDefinition policy, DiagnosticSink sink)
    {
        var byLiteralCount = policy.Rules
            .Where(r => ToolPattern.IsPattern(r.Key))
            .Select(r => (Rule: r, Pattern: new ToolPattern(r.Key)))
            .GroupBy(p => p.Pattern.LiteralCount);

        foreach (var group in byLiteralCount)
        {
            var patterns = group.ToArray();
            for (var i = 0; i < patterns.Length; i++)
            {
                for (var j = i + 1; j < patterns.Length; j++)
                {
                    var (a, b) = (patterns[i].Pattern, patterns[j].Pattern);
                    if (CannotOverlapCheaply(a, b) || !a.Overlaps(b))
                    {
                        continue;
                    }

                    sink.ErrorAtName(DiagnosticCodes.AmbiguousPatterns, patterns[j].Rule.Path, $"pattern {JsonText.Quote(b.Key)} and pattern {JsonText.Quote(a.Key)} ({patterns[i].Rule.Path}) have {a.LiteralCount} literal characters each and can match the same tool; make one more specific or name the tool exactly");
                }
            }
        }
    }

    /// <summary>Two patterns whose fixed prefixes (or suffixes) disagree can never match one name.</summary>
    private static bool CannotOverlapCheaply(ToolPattern a, ToolPattern b)
    {
        var (pa, pb) = (a.Prefix, b.Prefix);
        if (!pa.StartsWith(pb, StringComparison.Ordinal) && !pb.StartsWith(pa, StringComparison.Ordinal))
        {
            return true;
        }

        var (sa, sb) = (a.Suffix, b.Suffix);
        return !sa.EndsWith(sb, StringComparison.Ordinal) && !sb.EndsWith(sa, StringComparison.Ordinal);
    }
}
