namespace McpWarden.Policy.Schema;

/// <summary>The category of a problem found while compiling a schema.</summary>
public enum SchemaDiagnosticKind
{
    /// <summary>A keyword's value has the wrong type or is out of range.</summary>
    InvalidKeywordValue,

    /// <summary>A keyword that neither supported draft defines (often a typo such as <c>maximun</c>).</summary>
    UnknownKeyword,

    /// <summary>A keyword or feature the drafts define but this validator does not implement.</summary>
    UnsupportedKeyword,

    /// <summary>A <c>pattern</c> or <c>patternProperties</c> regex that does not parse.</summary>
    InvalidPattern,

    /// <summary>A local <c>$ref</c> that does not point at a schema in the document.</summary>
    UnresolvedReference,
}
