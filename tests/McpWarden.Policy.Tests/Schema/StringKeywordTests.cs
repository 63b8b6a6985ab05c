using McpWarden.Policy.Schema;
using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class StringKeywordTests
{
    [Theory]
    [InlineData("\"\U0001F409\U0001F409\"", 2)]
    [InlineData("\"\\ud83d\\udc09\"", 1)]
    [InlineData("\"h\\u00e9\"", 2)]
    [InlineData("\"\\ud800\"", 1)]
    [InlineData("\"\\udc00\\ud800x\"", 3)]
    [InlineData("\"a\\nb\"", 3)]
    public void Validate_Length_CountsCodePointsAndLoneSurrogatesAsOne(string instance, int length)
    {
        Assert.True(IsValid($$"""{"minLength":{{length}},"maxLength":{{length}}}""", instance));
        Assert.False(IsValid($$"""{"minLength":{{length + 1}}}""", instance));
        Assert.False(IsValid($$"""{"maxLength":{{length - 1}}}""", instance));
    }

    [Fact]
    public void Validate_TooLong_ReportsMaxLength()
    {
        var error = Error("""{"properties":{"memo":{"maxLength":3}}}""", """{"memo":"abcd"}""");

        Assert.Equal("/memo", error.InstancePath);
        Assert.Equal("maxLength", error.Keyword);
        Assert.Equal("string of length 4 is longer than the maxLength 3", error.Message);
    }

    [Fact]
    public void Validate_PatternMismatch_ReportsPatternAndQuotesBoth()
    {
        var error = Error("""{"pattern":"^[A-Z]{2}$"}""", "\"abc\"");

        Assert.Equal("pattern", error.Keyword);
        Assert.Equal("\"abc\" does not match the pattern \"^[A-Z]{2}$\"", error.Message);
    }

    [Theory]
    [InlineData("\"a\\u00e9b\"", true)]
    [InlineData("\"abc\"", false)]
    public void Validate_PatternOnEscapedString_MatchesDecodedText(string instance, bool expected) =>
        Assert.Equal(expected, IsValid("""{"pattern":"é"}""", instance));

    [Theory]
    [InlineData("\"123\"", true)]
    [InlineData("\"\u0661\u0662\u0663\"", false)]
    [InlineData("\"123\\n\"", false)]
    public void Validate_Pattern_FollowsEcmaScriptForDigitsAndEndAnchor(string instance, bool expected) =>
        Assert.Equal(expected, IsValid("""{"pattern":"^\\d+$"}""", instance));

    [Fact]
    public void Validate_CatastrophicPatternTimesOut_FailsClosed()
    {
        var options = new SchemaCompileOptions(RegexTimeout: TimeSpan.FromMilliseconds(1));
        var input = "\"" + new string('a', 5000) + "b\"";

        var error = Error("""{"pattern":"^(a+)+$"}""", input, options);

        Assert.Equal("pattern", error.Keyword);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CatastrophicPatternPropertiesTimesOut_FailsClosed()
    {
        var options = new SchemaCompileOptions(RegexTimeout: TimeSpan.FromMilliseconds(1));
        var name = new string('a', 5000) + "b";

        var error = Error("""{"patternProperties":{"^(a+)+$":{"type":"string"}}}""", $$"""{"{{name}}":1}""", options);

        Assert.Equal("patternProperties", error.Keyword);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"not":{"pattern":"^(a+)+$"}}""")]
    [InlineData("""{"if":{"pattern":"^(a+)+$"},"then":true,"else":true}""")]
    [InlineData("""{"anyOf":[{"not":{"pattern":"^(a+)+$"}},{"type":"number"}]}""")]
    [InlineData("""{"oneOf":[{"not":{"pattern":"^(a+)+$"}},{"type":"number"}]}""")]
    public void Validate_TimedOutPatternUnderAnApplicator_NeverPasses(string schema)
    {
        // A timeout answers "no match", which not (or an if whose branches both pass) would otherwise turn into a pass.
        var options = new SchemaCompileOptions(RegexTimeout: TimeSpan.FromMilliseconds(1));
        var input = "\"" + new string('a', 5000) + "b\"";

        var error = Error(schema, input, options);

        Assert.Equal("pattern", error.Keyword);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"not":{"pattern":"[0-9]{16}"}}""", "\"\\ud800 4111111111111111\"", "/not/pattern")]
    [InlineData("""{"properties":{"memo":{"not":{"pattern":"card"}}}}""", "{\"memo\":\"\\udc00card\"}", "/properties/memo/not/pattern")]
    [InlineData("""{"not":{"patternProperties":{"^x":false}}}""", "{\"\\ud800x\":1}", "/not/patternProperties")]
    public void Validate_LoneSurrogateUnderNot_NeverPasses(string schema, string instance, string schemaPath)
    {
        var error = Error(schema, instance);

        Assert.Equal(schemaPath, error.SchemaPath);
        Assert.Contains("not valid UTF-16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LoneSurrogateReported_KeepsItsInstancePath()
    {
        var error = Error("""{"properties":{"memo":{"pattern":"^a"}}}""", "{\"memo\":\"\\ud800\"}");

        Assert.Equal("/memo", error.InstancePath);
        Assert.Equal("/properties/memo/pattern", error.SchemaPath);
    }

    [Fact]
    public void Compile_UnparsablePattern_ReportsInvalidPattern()
    {
        var diagnostic = Assert.Single(CompileText("""{"pattern":"[a-"}""").Diagnostics);

        Assert.Equal(SchemaDiagnosticKind.InvalidPattern, diagnostic.Kind);
        Assert.Equal("/pattern", diagnostic.SchemaPath);
        Assert.Contains("\"[a-\"", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FormatIsAnnotationOnly_NeverFails() =>
        Assert.True(IsValid("""{"format":"email"}""", "\"not an email\""));
}
