using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class ObjectKeywordTests
{
    [Fact]
    public void Validate_MissingRequired_ReportsRequiredAtObjectPath()
    {
        var error = Error("""{"properties":{"order":{"required":["id"]}}}""", """{"order":{}}""");

        Assert.Equal("/order", error.InstancePath);
        Assert.Equal("required", error.Keyword);
        Assert.Equal("required property \"id\" is missing", error.Message);
    }

    [Fact]
    public void Validate_AdditionalPropertyWhenFalse_ReportsAdditionalPropertiesAtMemberPath()
    {
        var error = Error("""{"properties":{"a":{}},"additionalProperties":false}""", """{"a":1,"b/c":2}""");

        Assert.Equal("/b~1c", error.InstancePath);
        Assert.Equal("additionalProperties", error.Keyword);
        Assert.Equal("/additionalProperties", error.SchemaPath);
    }

    [Fact]
    public void Validate_AdditionalPropertiesBeforeProperties_StillSeesDeclaredNames() =>
        Assert.True(IsValid("""{"additionalProperties":false,"properties":{"a":{}},"patternProperties":{"^x-":{}}}""", """{"a":1,"x-y":2}"""));

    [Fact]
    public void Validate_DuplicateMember_EveryOccurrenceIsChecked() =>
        Assert.False(IsValid("""{"properties":{"amount":{"maximum":10}}}""", """{"amount":1,"amount":99}"""));

    [Fact]
    public void Validate_PatternProperties_AppliesToMatchingNames()
    {
        const string Schema = """{"patternProperties":{"^n_":{"type":"number"}}}""";

        Assert.True(IsValid(Schema, """{"n_a":1,"other":"x"}"""));
        Assert.Equal("/n_b", Error(Schema, """{"n_b":"x"}""").InstancePath);
    }

    [Fact]
    public void Validate_PropertyNames_ReportsTheName()
    {
        var error = Error("""{"propertyNames":{"maxLength":3}}""", """{"long":1}""");

        Assert.Equal("propertyNames", error.Keyword);
        Assert.Contains("\"long\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PropertyCounts_Enforced()
    {
        Assert.False(IsValid("""{"minProperties":2}""", """{"a":1}"""));
        Assert.False(IsValid("""{"maxProperties":1}""", """{"a":1,"b":2}"""));
    }

    [Fact]
    public void Validate_DependentRequiredAndSchemas_ApplyWhenTriggerPresent()
    {
        const string Schema = """{"dependentRequired":{"card":["cvv"]},"dependentSchemas":{"iban":{"required":["bic"]}}}""";

        Assert.True(IsValid(Schema, """{"other":1}"""));
        Assert.Equal("dependentRequired", Error(Schema, """{"card":1}""").Keyword);
        Assert.Equal("required", Error(Schema, """{"iban":1}""").Keyword);
    }

    [Fact]
    public void Validate_Draft7Dependencies_SupportsArrayAndSchemaForms()
    {
        const string Schema = """{"dependencies":{"card":["cvv"],"iban":{"required":["bic"]}}}""";

        Assert.False(IsValid(Schema, """{"card":1}""", Draft7()));
        Assert.False(IsValid(Schema, """{"iban":1}""", Draft7()));
        Assert.True(IsValid(Schema, """{"card":1,"cvv":2,"iban":3,"bic":4}""", Draft7()));
    }

    [Fact]
    public void Validate_UnevaluatedProperties_SeesPropertiesThroughAllOfAndRef()
    {
        const string Schema = """
            {"$defs":{"base":{"properties":{"a":{}}}},
             "allOf":[{"$ref":"#/$defs/base"}],"properties":{"b":{}},"unevaluatedProperties":false}
            """;

        Assert.True(IsValid(Schema, """{"a":1,"b":2}"""));
        var error = Error(Schema, """{"a":1,"c":3}""");
        Assert.Equal("/c", error.InstancePath);
        Assert.Equal("unevaluatedProperties", error.Keyword);
    }

    [Fact]
    public void Validate_LoneSurrogateMemberName_FailsClosedWithoutThrowing()
    {
        var result = Validate("""{"additionalProperties":false}""", """{"\ud800":1}""");

        Assert.False(result.IsValid);
    }
}
