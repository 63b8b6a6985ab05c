using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class ArrayKeywordTests
{
    [Fact]
    public void Validate_ItemFails_ReportsIndexInPath()
    {
        var error = Error("""{"properties":{"tags":{"items":{"type":"string"}}}}""", """{"tags":["a","b",3]}""");

        Assert.Equal("/tags/2", error.InstancePath);
        Assert.Equal("type", error.Keyword);
        Assert.Equal("/properties/tags/items/type", error.SchemaPath);
    }

    [Fact]
    public void Validate_PrefixItemsThenItems_AppliesItemsAfterPrefix()
    {
        const string Schema = """{"prefixItems":[{"type":"string"}],"items":{"type":"number"}}""";

        Assert.True(IsValid(Schema, """["a",1,2]"""));
        Assert.Equal("/0", Error(Schema, """[1,2]""").InstancePath);
        Assert.Equal("/2", Error(Schema, """["a",1,"b"]""").InstancePath);
    }

    [Fact]
    public void Validate_Draft7TupleItemsAndAdditionalItems_Enforced()
    {
        const string Schema = """{"items":[{"type":"string"}],"additionalItems":false}""";

        Assert.True(IsValid(Schema, """["a"]""", Draft7()));
        var error = Error(Schema, """["a",1]""", Draft7());
        Assert.Equal("/1", error.InstancePath);
        Assert.Equal("additionalItems", error.Keyword);
    }

    [Fact]
    public void Validate_ContainsWithMinAndMax_CountsMatches()
    {
        const string Schema = """{"contains":{"const":1},"minContains":2,"maxContains":3}""";

        Assert.False(IsValid(Schema, "[1]"));
        Assert.True(IsValid(Schema, "[1,2,1]"));
        Assert.False(IsValid(Schema, "[1,1,1,1]"));
        Assert.True(IsValid("""{"contains":{"const":1},"minContains":0}""", "[]"));
        Assert.Equal("contains", Error("""{"contains":{"const":1}}""", "[2]").Keyword);
    }

    [Fact]
    public void Validate_UniqueItems_UsesJsonEquality()
    {
        var error = Error("""{"uniqueItems":true}""", """[{"a":1,"b":2},{"b":2,"a":1.0}]""");

        Assert.Equal("uniqueItems", error.Keyword);
        Assert.True(IsValid("""{"uniqueItems":true}""", "[1,\"1\",[1]]"));
    }

    [Fact]
    public void Validate_ItemCounts_Enforced()
    {
        Assert.False(IsValid("""{"minItems":1}""", "[]"));
        Assert.Equal("maxItems", Error("""{"maxItems":1}""", "[1,2]").Keyword);
    }

    [Fact]
    public void Validate_UnevaluatedItems_SeesPrefixItemsInAnyOf()
    {
        const string Schema = """{"anyOf":[{"prefixItems":[true,true]}],"unevaluatedItems":false}""";

        Assert.True(IsValid(Schema, "[1,2]"));
        Assert.Equal("/2", Error(Schema, "[1,2,3]").InstancePath);
    }
}
