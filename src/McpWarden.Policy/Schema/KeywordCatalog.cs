namespace McpWarden.Policy.Schema;

/// <summary>The keyword vocabularies of the two supported drafts, used to tell a typo from a keyword of the other draft.</summary>
internal static class KeywordCatalog
{
    /// <summary>Keywords that only draft 2020-12 defines (meaningless, so ignored, under draft-07).</summary>
    public static readonly string[] Draft202012Only =
    [
        "prefixItems", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "minContains", "maxContains",
        "$anchor",
    ];

    /// <summary>Keywords that only draft-07 defines (meaningless, so ignored, under 2020-12).</summary>
    public static readonly string[] Draft7Only = ["additionalItems"];

    /// <summary>Identifier keywords this validator does not implement, in either draft.</summary>
    public static readonly string[] Unsupported = ["$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"];

    private static readonly string[] Known =
    [
        "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties", "propertyNames", "items",
        "prefixItems", "additionalItems", "contains", "minContains", "maxContains", "minLength", "maxLength", "minItems", "maxItems",
        "minProperties", "maxProperties", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "pattern",
        "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas", "dependencies",
        "$ref", "$defs", "definitions", "unevaluatedProperties", "unevaluatedItems", "format", "title", "description", "default",
        "examples", "$comment", "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding", "contentSchema",
        "$schema", "$id", "$vocabulary", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor",
    ];

    /// <summary>The known keyword closest to a misspelt one (edit distance at most 2), or null.</summary>
    public static string? Suggest(string unknown)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var keyword in Known)
        {
            var distance = Distance(unknown, keyword);
            if (distance < bestDistance)
            {
                best = keyword;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
