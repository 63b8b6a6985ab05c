using McpWarden.Policy.Schema;
using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class JsonSchemaCompilerTests
{
    private static readonly SchemaCompileOptions Upstream = new(Strictness: SchemaStrictness.Upstream);

    [Fact]
    public void Compile_PolicyWithTypoMaximun_ReportsUnknownKeywordErrorAtItsPath()
    {
        var compilation = CompileText("""{"properties":{"amount":{"type":"number","maximun":5}}}""");

        Assert.Null(compilation.Schema);
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal(SchemaDiagnosticKind.UnknownKeyword, diagnostic.Kind);
        Assert.Equal("/properties/amount/maximun", diagnostic.SchemaPath);
        Assert.True(diagnostic.IsError);
        Assert.Contains("\"maximun\"", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean \"maximum\"", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_PolicyWithDynamicRef_ReportsUnsupportedKeywordErrorAtItsPath()
    {
        var compilation = CompileText("""{"items":{"$dynamicRef":"#node"}}""");

        Assert.Null(compilation.Schema);
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal(SchemaDiagnosticKind.UnsupportedKeyword, diagnostic.Kind);
        Assert.Equal("/items/$dynamicRef", diagnostic.SchemaPath);
        Assert.True(diagnostic.IsError);
    }

    [Fact]
    public void Compile_SeveralProblems_ReportsAllDiagnosticsTogether()
    {
        var compilation = CompileText("""
            {"properties":{
              "a":{"minimum":"x"},
              "b":{"maximun":1},
              "c":{"pattern":"(unclosed"},
              "d":{"$ref":"#/$defs/missing"},
              "e":{"$dynamicRef":"#x"},
              "f":{"minLength":-1}}}
            """);

        Assert.Null(compilation.Schema);
        var byPath = compilation.Diagnostics.ToDictionary(d => d.SchemaPath, d => d.Kind);
        Assert.Equal(SchemaDiagnosticKind.InvalidKeywordValue, byPath["/properties/a/minimum"]);
        Assert.Equal(SchemaDiagnosticKind.UnknownKeyword, byPath["/properties/b/maximun"]);
        Assert.Equal(SchemaDiagnosticKind.InvalidPattern, byPath["/properties/c/pattern"]);
        Assert.Equal(SchemaDiagnosticKind.UnresolvedReference, byPath["/properties/d/$ref"]);
        Assert.Equal(SchemaDiagnosticKind.UnsupportedKeyword, byPath["/properties/e/$dynamicRef"]);
        Assert.Equal(SchemaDiagnosticKind.InvalidKeywordValue, byPath["/properties/f/minLength"]);
        Assert.All(compilation.Diagnostics, d => Assert.True(d.IsError));
    }

    [Fact]
    public void Compile_MinimumIsString_MessageNamesKeywordAndQuotesInput()
    {
        var diagnostic = Assert.Single(CompileText("""{"minimum":"x"}""").Diagnostics);

        Assert.Equal("\"minimum\" must be a number, got string \"x\"", diagnostic.Message);
        Assert.Equal("/minimum", diagnostic.SchemaPath);
    }

    [Fact]
    public void Compile_UpstreamWithUnknownAndUnsupportedKeywords_CompilesWithWarningsOnly()
    {
        var compilation = CompileText("""{"x-vendor":1,"maximun":3,"properties":{"a":{"$dynamicAnchor":"a","type":"string"}}}""", Upstream);

        Assert.NotNull(compilation.Schema);
        var warning = Assert.Single(compilation.Diagnostics);
        Assert.Equal(SchemaDiagnosticKind.UnsupportedKeyword, warning.Kind);
        Assert.Equal("/properties/a/$dynamicAnchor", warning.SchemaPath);
        Assert.False(warning.IsError);
    }

    [Fact]
    public void Compile_UpstreamRemoteRef_WarnsAndIgnoresTheReference()
    {
        var compilation = CompileText("""{"$ref":"https://example.com/schema.json","type":"string"}""", Upstream);

        Assert.NotNull(compilation.Schema);
        Assert.False(Assert.Single(compilation.Diagnostics).IsError);
        using var instance = System.Text.Json.JsonDocument.Parse("1");
        Assert.False(compilation.Schema.Validate(instance.RootElement).IsValid);
    }

    [Fact]
    public void Compile_UpstreamInvalidKeywordValue_IsStillAnError()
    {
        var compilation = CompileText("""{"maxLength":"ten"}""", Upstream);

        Assert.Null(compilation.Schema);
        Assert.Equal(SchemaDiagnosticKind.InvalidKeywordValue, Assert.Single(compilation.Diagnostics).Kind);
    }

    [Theory]
    [InlineData("http://json-schema.org/draft-07/schema#", SchemaDialect.Draft7)]
    [InlineData("http://json-schema.org/draft-07/schema", SchemaDialect.Draft7)]
    [InlineData("https://json-schema.org/draft/2020-12/schema", SchemaDialect.Draft202012)]
    public void Compile_KnownSchemaUri_SelectsDialect(string uri, SchemaDialect expected)
    {
        var schema = Compile($$"""{"$schema":"{{uri}}"}""");

        Assert.Equal(expected, schema.Dialect);
    }

    [Fact]
    public void Compile_UnknownSchemaUri_PolicyErrorUpstreamWarningWithDefaultDialect()
    {
        const string Json = """{"$schema":"https://example.com/my-meta","type":"string"}""";

        var policy = CompileText(Json);
        var upstream = CompileText(Json, new SchemaCompileOptions(SchemaDialect.Draft7, SchemaStrictness.Upstream));

        Assert.Null(policy.Schema);
        Assert.Equal("/$schema", Assert.Single(policy.Diagnostics).SchemaPath);
        Assert.NotNull(upstream.Schema);
        Assert.False(Assert.Single(upstream.Diagnostics).IsError);
        Assert.Equal(SchemaDialect.Draft7, upstream.Schema.Dialect);
    }

    [Fact]
    public void Compile_PolicyUsesOtherDraftsKeyword_ReportsErrorNamingTheDraft()
    {
        var compilation = CompileText("""{"prefixItems":[{"type":"string"}]}""", Draft7());

        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal(SchemaDiagnosticKind.UnknownKeyword, diagnostic.Kind);
        Assert.Contains("2020-12", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_ItemsArrayUnder202012_ReportsInvalidKeywordValue()
    {
        var diagnostic = Assert.Single(CompileText("""{"items":[{"type":"string"}]}""").Diagnostics);

        Assert.Equal(SchemaDiagnosticKind.InvalidKeywordValue, diagnostic.Kind);
        Assert.Equal("/items", diagnostic.SchemaPath);
    }

    [Fact]
    public void Compile_SchemaThatIsNotObjectOrBoolean_ReportsInvalidKeywordValue()
    {
        var diagnostic = Assert.Single(CompileText("""{"properties":{"a":5}}""").Diagnostics);

        Assert.Equal("/properties/a", diagnostic.SchemaPath);
        Assert.Equal(SchemaDiagnosticKind.InvalidKeywordValue, diagnostic.Kind);
    }

    [Fact]
    public void Compile_AnnotationKeywords_AreAcceptedUnderPolicy()
    {
        var compilation = CompileText("""
            {"title":"t","description":"d","default":1,"examples":[1],"$comment":"c","deprecated":true,"readOnly":false,
             "writeOnly":false,"format":"email","contentMediaType":"text/plain","contentEncoding":"base64","$id":"https://example.com/s"}
            """);

        Assert.NotNull(compilation.Schema);
        Assert.Empty(compilation.Diagnostics);
    }

    [Fact]
    public void Compile_PolicyWithDuplicateKeyword_ReportsIt()
    {
        var diagnostic = Assert.Single(CompileText("""{"maximum":1,"maximum":100}""").Diagnostics);

        Assert.Equal("/maximum", diagnostic.SchemaPath);
        Assert.Contains("more than once", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_LoneSurrogateInPattern_ReportsDiagnosticInsteadOfThrowing()
    {
        var compilation = CompileText("""{"pattern":"\ud800"}""");

        Assert.Null(compilation.Schema);
        Assert.NotEmpty(compilation.Diagnostics);
    }

    [Fact]
    public void Compile_NonStringIdInSubschema_ReportsOnce()
    {
        var diagnostic = Assert.Single(CompileText("""{"$defs":{"a":{"$id":5}}}""").Diagnostics);

        Assert.Equal("/$defs/a/$id", diagnostic.SchemaPath);
    }
}
