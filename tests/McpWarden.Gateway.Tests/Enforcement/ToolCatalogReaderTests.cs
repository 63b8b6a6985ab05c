using System.Text.Json.Nodes;
using McpWarden.Gateway.Enforcement;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Gateway.Tests.Enforcement;

public sealed class ToolCatalogReaderTests
{
    private static ToolCatalog Read(string result, Func<string, bool>? changed = null) =>
        ToolCatalogReader.Read([JsonNode.Parse(result)], changed);

    [Fact]
    public void Read_ToolsWithSchemas_AreListedAndTheirSchemasEnforced()
    {
        var catalog = Read("""{"tools":[{"name":"pay","inputSchema":{"type":"object","properties":{"amount":{"type":"number","maximum":100}},"required":["amount"]}}]}""");
        Assert.Empty(catalog.Findings);
        var policy = Policies.Load("""{"version":"1","default":"allow"}""");
        Assert.True(PolicyEvaluator.Evaluate(policy, Policies.Call("pay", """{"amount":5}"""), catalog.Snapshot).IsAllowed);
        var denied = PolicyEvaluator.Evaluate(policy, Policies.Call("pay", """{"amount":500}"""), catalog.Snapshot);
        Assert.Equal(ReasonCodes.InvalidArguments, denied.Code);
        Assert.Contains("/amount", denied.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pay\u200b")]
    [InlineData("pay ")]
    [InlineData("cafe\u0301")]
    public void Read_UnusableName_IsLeftOutAndReported(string name)
    {
        var catalog = Read(new JsonObject { ["tools"] = new JsonArray(new JsonObject { ["name"] = name }) }.ToJsonString());
        Assert.Empty(catalog.Snapshot.Tools);
        Assert.Contains("hidden and uncallable", Assert.Single(catalog.Findings), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SchemaThatCannotCompile_KeepsTheToolButRefusesItsCalls()
    {
        var catalog = Read("""{"tools":[{"name":"t","inputSchema":{"type":"object","properties":{"n":{"minimum":"ten"}}}}]}""");
        var tool = Assert.Single(catalog.Snapshot.Tools);
        Assert.NotNull(tool.InputSchemaProblem);
        var policy = Policies.Load("""{"version":"1","default":"allow"}""");
        Assert.Equal(ReasonCodes.InvalidArguments, PolicyEvaluator.Evaluate(policy, Policies.Call("t"), catalog.Snapshot).Code);
    }

    [Fact]
    public void Read_UnsupportedSchemaKeyword_IsReportedAndTheRestEnforced()
    {
        var catalog = Read("""{"tools":[{"name":"t","inputSchema":{"type":"object","$dynamicRef":"#x","properties":{"n":{"type":"integer"}}}}]}""");
        Assert.Contains(catalog.Findings, f => f.Contains("$dynamicRef", StringComparison.Ordinal));
        var policy = Policies.Load("""{"version":"1","default":"allow"}""");
        Assert.Equal(ReasonCodes.InvalidArguments, PolicyEvaluator.Evaluate(policy, Policies.Call("t", """{"n":"x"}"""), catalog.Snapshot).Code);
    }

    [Fact]
    public void Read_NameListedTwiceWithDifferentDefinitions_IsWithheldWhicheverCopyACallWouldMeet()
    {
        // The stricter copy first: before, the first definition was used and the second reached the client unchecked.
        var catalog = Read("""{"tools":[{"name":"t","inputSchema":{"type":"object","required":["a"]}},{"name":"t","inputSchema":{"type":"object"}}]}""");
        var tool = Assert.Single(catalog.Snapshot.Tools);
        Assert.Equal(ReasonCodes.ToolFlagged, tool.Withheld?.Code);
        Assert.Contains("more than once with different definitions", Assert.Single(catalog.Findings), StringComparison.Ordinal);
        var policy = Policies.Load("""{"version":"1","default":"allow"}""");
        Assert.Equal(ReasonCodes.ToolFlagged, PolicyEvaluator.Evaluate(policy, Policies.Call("t", """{"a":1}"""), catalog.Snapshot).Code);
    }

    [Fact]
    public void Read_NameListedTwiceWithOneDefinition_IsOneCallableTool()
    {
        var catalog = Read("""{"tools":[{"name":"t","description":"d","_meta":{"x":1}},{"description":"d","name":"t"}]}""");
        var tool = Assert.Single(catalog.Snapshot.Tools);
        Assert.Null(tool.Withheld);
        Assert.Contains("same definition; it is listed once", Assert.Single(catalog.Findings), StringComparison.Ordinal);
        var policy = Policies.Load("""{"version":"1","default":"allow"}""");
        Assert.Equal(ReasonCodes.Allowed, PolicyEvaluator.Evaluate(policy, Policies.Call("t"), catalog.Snapshot).Code);
    }

    [Fact]
    public void Read_SeveralPages_AreOneCatalog()
    {
        var catalog = ToolCatalogReader.Read([JsonNode.Parse("""{"tools":[{"name":"a"}],"nextCursor":"2"}"""), JsonNode.Parse("""{"tools":[{"name":"b"}]}""")]);
        Assert.Equal(["a", "b"], catalog.Snapshot.Tools.Select(t => t.Name).Order().ToArray());
    }

    [Fact]
    public void Read_PinnedToolThatChanged_IsMarked()
    {
        var catalog = Read("""{"tools":[{"name":"a"},{"name":"b"}]}""", changed: name => name == "b");
        var policy = Policies.Load("""{"version":"1","default":"allow"}""");
        Assert.True(PolicyEvaluator.Evaluate(policy, Policies.Call("a"), catalog.Snapshot).IsAllowed);
        Assert.Equal(ReasonCodes.ToolChanged, PolicyEvaluator.Evaluate(policy, Policies.Call("b"), catalog.Snapshot).Code);
    }

    [Theory]
    [InlineData("""{"tools":[{"title":"no name"}]}""")]
    [InlineData("""{"tools":[{"name":42}]}""")]
    [InlineData("""{"nextCursor":"x"}""")]
    public void Read_MalformedEntries_AreSkippedAndReported(string result)
    {
        var catalog = Read(result);
        Assert.Empty(catalog.Snapshot.Tools);
        Assert.Single(catalog.Findings);
    }
}
