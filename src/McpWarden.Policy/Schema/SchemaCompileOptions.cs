namespace McpWarden.Policy.Schema;

/// <summary>Options for <see cref="JsonSchemaCompiler.Compile"/>.</summary>
/// <param name="DefaultDialect">The dialect used when the schema has no <c>$schema</c>; defaults to 2020-12.</param>
/// <param name="Strictness">How unknown and unsupported keywords are treated; defaults to <see cref="SchemaStrictness.Policy"/>.</param>
/// <param name="RegexTimeout">The match timeout of every <c>pattern</c> and <c>patternProperties</c> regex; defaults to 100 ms.</param>
public sealed record SchemaCompileOptions(
    SchemaDialect DefaultDialect = SchemaDialect.Draft202012,
    SchemaStrictness Strictness = SchemaStrictness.Policy,
    TimeSpan? RegexTimeout = null)
{
    /// <summary>The regex match timeout used when <see cref="RegexTimeout"/> is null.</summary>
    public static readonly TimeSpan DefaultRegexTimeout = TimeSpan.FromMilliseconds(100);
}
