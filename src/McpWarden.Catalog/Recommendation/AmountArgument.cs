using System.Text;
using System.Text.Json;

namespace McpWarden.Catalog.Recommendation;

/// <summary>
/// Finds the argument of a tool's input schema that carries a sum of money, for a spend cap: a property
/// of type number or integer whose name says amount, total, price, sum, cost, fee, value, charge... at the
/// top level or in nested objects (three levels at most), read as the schema declares it (no <c>$ref</c>).
/// </summary>
/// <param name="Reference">What the limit's <c>cost</c> names: the argument's name when it is a plain identifier at the top level, else a JSON Pointer into the arguments.</param>
/// <param name="Minimum">The schema's own <c>minimum</c> (or <c>exclusiveMinimum</c>) for one call, if declared.</param>
/// <param name="Maximum">The schema's own <c>maximum</c> (or <c>exclusiveMaximum</c>) for one call, if declared.</param>
public sealed record AmountArgument(string Reference, decimal? Minimum, decimal? Maximum)
{
    private const int MaxDepth = 3;

    // Ranked: an exact "amount" beats a name that merely contains a money word.
    private static readonly string[] MoneyWords = ["amount", "total", "price", "sum", "cost", "fee", "fees", "charge", "value", "payment", "fare", "deposit", "withdrawal", "money", "funds"];

    public static AmountArgument? In(JsonElement? inputSchema)
    {
        if (inputSchema is not { ValueKind: JsonValueKind.Object } schema)
        {
            return null;
        }

        var candidates = new List<(int Rank, int Depth, string Pointer, JsonElement Schema)>();
        Collect(schema, string.Empty, 1, candidates);
        if (candidates.Count == 0)
        {
            return null;
        }

        var best = candidates.OrderBy(c => c.Rank).ThenBy(c => c.Depth).ThenBy(c => c.Pointer, StringComparer.Ordinal).First();
        var name = best.Pointer[1..];
        var reference = best.Depth == 1 && IsPlainName(name) ? name : best.Pointer;
        return new AmountArgument(reference, Bound(best.Schema, "minimum", "exclusiveMinimum"), Bound(best.Schema, "maximum", "exclusiveMaximum"));
    }

    private static void Collect(JsonElement schema, string pointer, int depth, List<(int, int, string, JsonElement)> candidates)
    {
        if (depth > MaxDepth || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in properties.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var path = pointer + "/" + property.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
            if (IsNumeric(property.Value) && Rank(property.Name) is { } rank)
            {
                candidates.Add((rank, depth, path, property.Value));
            }
            else if (HasType(property.Value, "object"))
            {
                Collect(property.Value, path, depth + 1, candidates);
            }
        }
    }

    /// <summary>0 for an exact money word, 1 + its place for a name whose words include one, else null.</summary>
    private static int? Rank(string name)
    {
        var words = Words(name);
        for (var i = 0; i < MoneyWords.Length; i++)
        {
            if (words.Count == 1 && words[0] == MoneyWords[i])
            {
                return i;
            }
        }

        for (var i = 0; i < MoneyWords.Length; i++)
        {
            if (words.Contains(MoneyWords[i]))
            {
                return MoneyWords.Length + i;
            }
        }

        return null;
    }

    /// <summary>The lower-case words of an identifier: <c>totalAmount</c>, <c>total_amount</c> and <c>total-amount</c> are "total", "amount".</summary>
    private static List<string> Words(string name)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var hump = i > 0 && char.IsUpper(c) && char.IsLower(name[i - 1]);
            if (!char.IsLetterOrDigit(c) || hump)
            {
                Flush();
            }

            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static bool IsNumeric(JsonElement schema) => HasType(schema, "number") || HasType(schema, "integer");

    private static bool HasType(JsonElement schema, string type) =>
        schema.TryGetProperty("type", out var declared) && declared.ValueKind switch
        {
            JsonValueKind.String => declared.ValueEquals(type),
            JsonValueKind.Array => declared.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals(type)),
            _ => false,
        };

    private static decimal? Bound(JsonElement schema, string inclusive, string exclusive)
    {
        foreach (var keyword in new[] { inclusive, exclusive })
        {
            if (schema.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var bound))
            {
                return bound;
            }
        }

        return null;
    }

    // A bare name in a limit's cost is read as an argument name unless it starts with '/'; keep bare names to plain identifiers.
    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '$') && !name.Contains('~', StringComparison.Ordinal);
}
