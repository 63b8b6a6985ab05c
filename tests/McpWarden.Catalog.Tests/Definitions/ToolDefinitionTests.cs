using System.Text.Json;
using McpWarden.Catalog.Definitions;
using Xunit;

namespace McpWarden.Catalog.Tests.Definitions;

public sealed class ToolDefinitionTests
{
    [Fact]
    public void From_ReadsTheFieldsAndTheHints()
    {
        var tool = Read("""{"name":"pay","description":"Pays","inputSchema":{"type":"object"},"annotations":{"title":"Pay","readOnlyHint":true}}""")!;

        Assert.Equal("pay", tool.Name);
        Assert.Equal("Pay", tool.Title);
        Assert.Equal("Pays", tool.Description);
        Assert.Equal(JsonValueKind.Object, tool.InputSchema!.Value.ValueKind);
        Assert.True(tool.Hints.IsReadOnly);
        Assert.True(tool.Hints.IsDestructive); // missing: MCP's pessimistic default
        Assert.Null(tool.Hints.Destructive);
    }

    [Theory]
    [InlineData("""{"description":"no name"}""")]
    [InlineData("""{"name":7}""")]
    [InlineData("""[]""")]
    public void From_RefusesWhatIsNotATool(string json) => Assert.Null(Read(json));

    [Fact]
    public void From_TakesFieldsOfTheWrongTypeAsAbsent()
    {
        var tool = Read("""{"name":"t","title":1,"description":["x"],"inputSchema":true,"annotations":{"readOnlyHint":"yes"}}""")!;

        Assert.Null(tool.Title);
        Assert.Null(tool.Description);
        Assert.Null(tool.InputSchema);
        Assert.Null(tool.Hints.ReadOnly);
    }

    [Fact]
    public void From_TakesUnreadableTextAsAbsent_AndANameItCannotReadAsNoTool()
    {
        // A lone surrogate escape is valid JSON but no text: reading it must not throw out of a tools/list.
        Assert.Null(Read("""{"name":"\ud800"}"""));

        var tool = Read("""{"name":"t","title":"\udc00","description":"a\ud800b"}""")!;

        Assert.Null(tool.Title);
        Assert.Null(tool.Description);
    }

    private static ToolDefinition? Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ToolDefinition.From(document.RootElement);
    }
}
