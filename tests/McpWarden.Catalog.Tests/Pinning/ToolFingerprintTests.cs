using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Pinning;
using Xunit;

namespace McpWarden.Catalog.Tests.Pinning;

public sealed class ToolFingerprintTests
{
    [Fact]
    public void Of_KeepsExactlyThePinnedMembers_Canonically()
    {
        var pinned = ToolFingerprint.Of(Tool("""
            {"title":"Read","name":"read_file","outputSchema":{"type":"object"},"_meta":{"x":1},
             "annotations":{"readOnlyHint":true},"inputSchema":{"type":"object","properties":{"path":{"type":"string"}}},"description":"Reads a file"}
            """));

        Assert.Equal("read_file", pinned.Tool);
        Assert.Equal("""{"annotations":{"readOnlyHint":true},"description":"Reads a file","inputSchema":{"properties":{"path":{"type":"string"}},"type":"object"},"name":"read_file","title":"Read"}""", pinned.Definition);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pinned.Definition))), pinned.Fingerprint);
    }

    [Fact]
    public void Of_IgnoresOrderWhitespaceAndNumberSpelling_AndTheUnpinnedMembers()
    {
        var a = ToolFingerprint.Of(Tool("""{"name":"t","description":"d","inputSchema":{"type":"object","maximum":1.0}}"""));
        var b = ToolFingerprint.Of(Tool("""{ "inputSchema": {"maximum": 1, "type": "object"}, "description": "d", "name": "t", "outputSchema": {}, "icons": [] }"""));

        Assert.Equal(a.Fingerprint, b.Fingerprint);
    }

    [Theory]
    [InlineData("""{"name":"t","description":"d."}""")]
    [InlineData("""{"name":"t","description":"d","title":"T"}""")]
    [InlineData("""{"name":"t","description":"d","annotations":{}}""")]
    [InlineData("""{"name":"t","description":"d","inputSchema":{"type":"object"}}""")]
    [InlineData("""{"name":"t2","description":"d"}""")]
    [InlineData("""{"name":"t","description":"d\u200b"}""")]
    [InlineData("""{"name":"t","description":["d"]}""")]
    public void Of_ChangesWithAnyPinnedMember(string changed)
    {
        var original = ToolFingerprint.Of(Tool("""{"name":"t","description":"d"}"""));

        Assert.NotEqual(original.Fingerprint, ToolFingerprint.Of(Tool(changed)).Fingerprint);
    }

    [Fact]
    public void Abbreviate_IsThePrefix() => Assert.Equal("0123456789ab", ToolFingerprint.Abbreviate("0123456789abcdef"));

    private static ToolDefinition Tool(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ToolDefinition.From(document.RootElement)!;
    }
}
