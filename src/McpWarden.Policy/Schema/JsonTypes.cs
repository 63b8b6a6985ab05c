namespace McpWarden.Policy.Schema;

/// <summary>The JSON Schema primitive types, as flags so that a <c>type</c> array is a single mask test.</summary>
[Flags]
internal enum JsonTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    Number = 16,
    String = 32,
    Integer = 64,
}
