using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class ApplicatorKeywordTests
{
    [Fact]
    public void Validate_AllOfFails_ReportsTheDeepestFailingKeyword()
    {
        var error = Error("""{"allOf":[{"type":"object"},{"properties":{"n":{"minimum":5}}}]}""", """{"n":1}""");

        Assert.Equal("/n", error.InstancePath);
        Assert.Equal("minimum", error.Keyword);
        Assert.Equal("/allOf/1/properties/n/minimum", error.SchemaPath);
    }

    [Fact]
    public void Validate_AnyOfNoneMatch_ReportsTheComposite()
    {
        var error = Error("""{"properties":{"id":{"anyOf":[{"type":"string"},{"type":"integer"}]}}}""", """{"id":1.5}""");

        Assert.Equal("/id", error.InstancePath);
        Assert.Equal("anyOf", error.Keyword);
        Assert.Equal("/properties/id/anyOf", error.SchemaPath);
    }

    [Fact]
    public void Validate_OneOf_RejectsZeroAndSeveralMatches()
    {
        const string Schema = """{"oneOf":[{"type":"integer"},{"minimum":2}]}""";

        Assert.True(IsValid(Schema, "1"));
        Assert.True(IsValid(Schema, "2.5"));
        Assert.Equal("oneOf", Error(Schema, "3").Keyword);
        Assert.Equal("oneOf", Error(Schema, "1.5").Keyword);
    }

    [Fact]
    public void Validate_Not_RejectsMatchingInstance()
    {
        Assert.Equal("not", Error("""{"not":{"type":"null"}}""", "null").Keyword);
        Assert.True(IsValid("""{"not":{"type":"null"}}""", "0"));
    }

    [Fact]
    public void Validate_IfThenElse_ReportsTheBranchError()
    {
        const string Schema = """{"if":{"properties":{"kind":{"const":"card"}}},"then":{"required":["cvv"]},"else":{"required":["iban"]}}""";

        var thenError = Error(Schema, """{"kind":"card"}""");
        var elseError = Error(Schema, """{"kind":"bank"}""");

        Assert.Equal("/then/required", thenError.SchemaPath);
        Assert.Equal("/else/required", elseError.SchemaPath);
        Assert.True(IsValid(Schema, """{"kind":"card","cvv":"123"}"""));
    }

    [Fact]
    public void Validate_Draft7IfWithoutThenElse_IsIgnored() =>
        Assert.True(IsValid("""{"if":false}""", "1", Draft7()));
}
