using McpWarden.Policy.Schema;
using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class ReferenceTests
{
    [Fact]
    public void Validate_RecursiveRef_ValidatesNestedTree()
    {
        const string Schema = """
            {"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"additionalProperties":false}},
             "$ref":"#/$defs/node"}
            """;

        Assert.True(IsValid(Schema, """{"value":1,"children":[{"value":2,"children":[{"value":3}]}]}"""));
        var error = Error(Schema, """{"value":1,"children":[{"value":2,"children":[{"value":"x"}]}]}""");
        Assert.Equal("/children/0/children/0/value", error.InstancePath);
        Assert.Equal("/$defs/node/properties/value/type", error.SchemaPath);
    }

    [Theory]
    [InlineData("#/$defs/a~1b")]
    [InlineData("#/$defs/t~0d")]
    [InlineData("#/$defs/per%25cent")]
    [InlineData("#/properties/list/items")]
    public void Validate_PointerEscapes_ResolveTheTarget(string reference)
    {
        var schema = """
            {"$defs":{"a/b":{"type":"string"},"t~d":{"type":"string"},"per%cent":{"type":"string"}},
             "properties":{"list":{"items":{"type":"string"}},"x":{"$ref":"REFERENCE"}}}
            """.Replace("REFERENCE", reference, StringComparison.Ordinal);

        Assert.True(IsValid(schema, """{"x":"s"}"""));
        Assert.False(IsValid(schema, """{"x":1}"""));
    }

    [Fact]
    public void Validate_Draft7Definitions_AndRefSiblingsAreIgnored()
    {
        const string Schema = """{"definitions":{"s":{"type":"string"}},"properties":{"x":{"$ref":"#/definitions/s","maxLength":1}}}""";

        Assert.True(IsValid(Schema, """{"x":"long"}""", Draft7(SchemaStrictness.Upstream)));
        Assert.False(IsValid(Schema, """{"x":"long"}"""));
        Assert.Equal("/properties/x/maxLength", Assert.Single(CompileText(Schema, Draft7()).Diagnostics).SchemaPath);
    }

    [Fact]
    public void Validate_PureRefCycle_TerminatesAndFailsClosed()
    {
        const string Schema = """{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}""";

        var result = Validate(Schema, "1");

        Assert.False(result.IsValid);
        Assert.Equal("$ref", result.Error!.Keyword);
    }

    [Fact]
    public void Validate_RefToRoot_Recurses()
    {
        const string Schema = """{"properties":{"next":{"$ref":"#"}},"required":["v"]}""";

        Assert.True(IsValid(Schema, """{"v":1,"next":{"v":2}}"""));
        Assert.Equal("/next", Error(Schema, """{"v":1,"next":{}}""").InstancePath);
    }

    [Fact]
    public void Validate_RefSpellingOutRootId_IsLocal()
    {
        const string Schema = """{"$id":"https://example.com/root.json","$defs":{"s":{"type":"string"}},"$ref":"https://example.com/root.json#/$defs/s"}""";

        Assert.False(IsValid(Schema, "1"));
    }

    [Fact]
    public void Compile_RefToMissingLocation_ReportsUnresolvedReferenceEvenUpstream()
    {
        var compilation = CompileText("""{"$ref":"#/$defs/missing"}""", new SchemaCompileOptions(Strictness: SchemaStrictness.Upstream));

        Assert.Null(compilation.Schema);
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal(SchemaDiagnosticKind.UnresolvedReference, diagnostic.Kind);
        Assert.Equal("/$ref", diagnostic.SchemaPath);
    }

    [Fact]
    public void Validate_RefToAnchor_ResolvesIn202012AndDraft7()
    {
        Assert.False(IsValid("""{"$defs":{"s":{"$anchor":"text","type":"string"}},"$ref":"#text"}""", "1"));
        Assert.False(IsValid("""{"definitions":{"s":{"$id":"#text","type":"string"}},"allOf":[{"$ref":"#text"}]}""", "1", Draft7()));
    }

    [Fact]
    public void Compile_RefToUndeclaredOrDuplicateAnchor_ReportsErrors()
    {
        var missing = Assert.Single(CompileText("""{"$ref":"#nowhere"}""").Diagnostics);
        var duplicate = Assert.Single(CompileText("""{"$defs":{"a":{"$anchor":"x"},"b":{"$anchor":"x"}}}""").Diagnostics);

        Assert.Equal(SchemaDiagnosticKind.UnresolvedReference, missing.Kind);
        Assert.Equal("/$defs/b/$anchor", duplicate.SchemaPath);
    }

    [Fact]
    public void Validate_RefInsideEmbeddedResource_ResolvesAgainstItsId()
    {
        const string Schema = """
            {"$id":"https://example.com/root.json",
             "$defs":{"inner":{"type":"integer"},
                      "item":{"$id":"item.json","$defs":{"inner":{"type":"string"}},"$ref":"#/$defs/inner"}},
             "properties":{"a":{"$ref":"item.json"},"b":{"$ref":"https://example.com/item.json#/$defs/inner"},"c":{"$ref":"#/$defs/inner"}}}
            """;

        Assert.True(IsValid(Schema, """{"a":"s","b":"s","c":1}"""));
        Assert.Equal("/a", Error(Schema, """{"a":1}""").InstancePath);
        Assert.Equal("/$defs/item/$defs/inner/type", Error(Schema, """{"b":1}""").SchemaPath);
        Assert.False(IsValid(Schema, """{"c":"s"}"""));
    }

    [Fact]
    public void Compile_PolicyRefToSchemaOutsideDocument_ReportsUnsupportedError()
    {
        var diagnostic = Assert.Single(CompileText("""{"properties":{"a":{"$ref":"other.json#/x"}}}""").Diagnostics);

        Assert.Equal(SchemaDiagnosticKind.UnsupportedKeyword, diagnostic.Kind);
        Assert.Equal("/properties/a/$ref", diagnostic.SchemaPath);
        Assert.True(diagnostic.IsError);
    }
}
