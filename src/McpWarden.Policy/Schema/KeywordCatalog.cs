using McpWarden.Policy.Parsing;

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
    public static string? Suggest(string unknown) => StrictJson.Suggest(unknown, Known);
}
