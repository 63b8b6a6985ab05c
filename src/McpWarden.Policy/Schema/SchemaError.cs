namespace McpWarden.Policy.Schema;

/// <summary>Why an instance failed validation: the failing value's location and the keyword that rejected it.</summary>
/// <param name="InstancePath">RFC 6901 JSON Pointer into the instance ("" for the root).</param>
/// <param name="Keyword">The schema keyword that failed, such as <c>maximum</c>.</param>
/// <param name="SchemaPath">RFC 6901 JSON Pointer to that keyword, relative to the schema root.</param>
/// <param name="Message">A human-readable explanation quoting the failing value.</param>
public sealed record SchemaError(string InstancePath, string Keyword, string SchemaPath, string Message);
