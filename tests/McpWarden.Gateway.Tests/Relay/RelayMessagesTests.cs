using System.Text.Json.Nodes;
using McpWarden.Gateway.Relay;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

[Trait("Security", "hostile-input")]
public sealed class RelayMessagesTests
{
    [Theory]
    [InlineData("""{"_meta":{"progressToken":"p1"}}""", "\"p1\"")]
    [InlineData("""{"_meta":{"progressToken":7}}""", "7")]
    [InlineData("""{"_meta":{}}""", null)]
    [InlineData("""{}""", null)]
    [InlineData("""{"_meta":5}""", null)]
    [InlineData("""{"_meta":[1]}""", null)]
    [InlineData("""{"_meta":"progressToken"}""", null)]
    [InlineData("""[1]""", null)]
    public void ProgressTokenOf_ReadsAnObjectsTokenAndNeverThrowsOnOtherShapes(string parameters, string? expected)
    {
        // A server's messages are not screened: a _meta that is a number once threw out of the relay.
        Assert.Equal(expected, RelayMessages.ProgressTokenOf(JsonNode.Parse(parameters)));
    }
}
