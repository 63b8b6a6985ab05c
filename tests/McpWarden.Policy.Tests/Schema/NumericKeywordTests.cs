using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class NumericKeywordTests
{
    [Fact]
    public void Validate_AboveMaximum_ReportsPathKeywordAndMessage()
    {
        var error = Error("""{"properties":{"amount":{"type":"number","maximum":50000}}}""", """{"amount":50001}""");

        Assert.Equal("/amount", error.InstancePath);
        Assert.Equal("maximum", error.Keyword);
        Assert.Equal("/properties/amount/maximum", error.SchemaPath);
        Assert.Equal("50001 is greater than the maximum 50000", error.Message);
    }

    [Theory]
    [InlineData("""{"minimum":1}""", "1", true)]
    [InlineData("""{"minimum":1}""", "0.9999999999999999999", false)]
    [InlineData("""{"exclusiveMinimum":1}""", "1", false)]
    [InlineData("""{"exclusiveMaximum":1}""", "0.99", true)]
    [InlineData("""{"maximum":1}""", "1.0", true)]
    [InlineData("""{"maximum":1e400}""", "1e308", true)]
    public void Validate_Limits_CompareExactly(string schema, string instance, bool expected) =>
        Assert.Equal(expected, IsValid(schema, instance));

    [Theory]
    [InlineData("""{"minimum":1,"exclusiveMinimum":true}""", "1", false)]
    [InlineData("""{"minimum":1,"exclusiveMinimum":false}""", "1", true)]
    [InlineData("""{"maximum":1,"exclusiveMaximum":true}""", "1", false)]
    public void Validate_BooleanExclusiveForm_ModifiesMinimumAndMaximum(string schema, string instance, bool expected) =>
        Assert.Equal(expected, IsValid(schema, instance, Draft7()));

    [Theory]
    [InlineData("0.0001", "0.0075", true)]
    [InlineData("0.0001", "0.00751", false)]
    [InlineData("0.01", "19.99", true)]
    [InlineData("1.5", "4.5", true)]
    [InlineData("0.5", "1e308", true)]
    [InlineData("0.123456789", "1e308", false)]
    public void Validate_MultipleOf_UsesDecimalWithDoubleFallback(string divisor, string instance, bool expected) =>
        Assert.Equal(expected, IsValid($$"""{"multipleOf":{{divisor}}}""", instance));

    [Fact]
    public void Compile_MultipleOfZero_ReportsInvalidKeywordValue()
    {
        var diagnostic = Assert.Single(CompileText("""{"multipleOf":0}""").Diagnostics);

        Assert.Equal("/multipleOf", diagnostic.SchemaPath);
    }

    [Fact]
    public void Validate_NumericKeywordsOnNonNumbers_AreIgnored() =>
        Assert.True(IsValid("""{"minimum":5,"multipleOf":2}""", "\"text\""));
}
