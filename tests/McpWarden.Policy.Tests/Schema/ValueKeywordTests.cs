using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class ValueKeywordTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData("1.0", true)]
    [InlineData("1e2", true)]
    [InlineData("1.5", false)]
    [InlineData("\"1\"", false)]
    public void Validate_TypeInteger_AcceptsWholeNumbersOnly(string instance, bool expected) =>
        Assert.Equal(expected, IsValid("""{"type":"integer"}""", instance));

    [Fact]
    public void Validate_TypeMismatch_ReportsTypeKeywordAndValue()
    {
        var error = Error("""{"type":["string","null"]}""", "5");

        Assert.Equal("type", error.Keyword);
        Assert.Equal("/type", error.SchemaPath);
        Assert.Equal("number 5 is not of type \"string\" or \"null\"", error.Message);
    }

    [Theory]
    [InlineData("1.0", true)]
    [InlineData("{\"b\":2,\"a\":1}", true)]
    [InlineData("\"EUR\"", true)]
    [InlineData("\"eur\"", false)]
    public void Validate_Enum_UsesJsonEquality(string instance, bool expected) =>
        Assert.Equal(expected, IsValid("""{"enum":[1,{"a":1,"b":2},"EUR"]}""", instance));

    [Fact]
    public void Validate_EnumMismatch_ReportsEnumWithAllowedValues()
    {
        var error = Error("""{"enum":["EUR","USD"]}""", "\"JPY\"");

        Assert.Equal("enum", error.Keyword);
        Assert.Equal("string \"JPY\" is not one of [\"EUR\", \"USD\"]", error.Message);
    }

    [Theory]
    [InlineData("[1,{\"x\":[true]}]", true)]
    [InlineData("[1.0,{\"x\":[true]}]", true)]
    [InlineData("[1,{\"x\":[false]}]", false)]
    public void Validate_Const_ComparesStructurally(string instance, bool expected) =>
        Assert.Equal(expected, IsValid("""{"const":[1,{"x":[true]}]}""", instance));

    [Fact]
    public void Validate_BooleanSchemas_TrueAcceptsFalseRejects()
    {
        Assert.True(IsValid("true", "{\"any\":1}"));
        var error = Error("false", "1");
        Assert.Equal("false", error.Keyword);
        Assert.Equal(string.Empty, error.InstancePath);
    }
}
