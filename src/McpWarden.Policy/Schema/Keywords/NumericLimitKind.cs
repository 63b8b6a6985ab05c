namespace McpWarden.Policy.Schema.Keywords;

/// <summary>Which side of a numeric limit an instance must be on.</summary>
internal enum NumericLimitKind
{
    Minimum,
    ExclusiveMinimum,
    Maximum,
    ExclusiveMaximum,
}
