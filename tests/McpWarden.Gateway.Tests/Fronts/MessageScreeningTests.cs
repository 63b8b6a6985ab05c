using System.Text;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Fronts;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts;

public sealed class MessageScreeningTests
{
    private static (JsonRpcMessage? Message, JsonObject? Error) Screen(string text) => MessageScreening.Screen(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":3,"result":{}}""")]
    public void Screen_WellFormedMessage_PassesThrough(string text)
    {
        var (message, error) = Screen(text);
        Assert.Null(error);
        Assert.NotNull(message);
    }

    [Theory]
    [InlineData("{", -32700, null)]
    [InlineData("[]", -32600, null)]
    [InlineData("42", -32600, null)]
    [InlineData("""{"jsonrpc":"2.0","id":null,"method":"ping"}""", -32600, null)]
    [InlineData("""{"jsonrpc":"2.0","id":1.5,"method":"ping"}""", -32600, null)]
    [InlineData("""{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}""", -32600, null)]
    [InlineData("""{"jsonrpc":"2.0","id":9,"method":"ping","params":[1]}""", -32602, "9")]
    [InlineData("""{"jsonrpc":"2.0","id":"x","method":5}""", -32600, "\"x\"")]
    [InlineData("""{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"a","_meta":5}}""", -32602, "10")]
    [InlineData("""{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"a","_meta":[{"progressToken":1}]}}""", -32602, "11")]
    [InlineData("""{"id":4,"method":"ping"}""", -32600, "4")]
    [InlineData("""{"jsonrpc":"2.0","id":4,"method":"ping","id":5}""", -32600, null)]
    [InlineData("""{"jsonrpc":"2.0","id":6,"error":{"code":"bad"}}""", -32600, null)]
    public void Screen_BadMessage_GetsAnErrorWithTheIdOnlyWhenItIsARequestsOwn(string text, int code, string? id)
    {
        var (message, error) = Screen(text);
        Assert.Null(message);
        Assert.Equal(code, (int)error!["error"]!["code"]!);
        Assert.Equal(id ?? "null", error["id"]?.ToJsonString() ?? "null");
        Assert.Equal("2.0", (string)error["jsonrpc"]!);
    }

    [Trait("Security", "fuzzing")]
    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"params\u202e\":{\"l\rvel\":1}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"a\\u200b\\n\\u001b[2J\":{\"b\":tru}}")]
    public void Screen_HiddenCharactersInTheWayToAnError_AreShownEscaped(string text)
    {
        // Found by the fuzzer: the path of a syntax error reached the error frame and the log raw, bidi
        // overrides and terminal escapes included.
        var message = (string)Screen(text).Error!["error"]!["message"]!;

        Assert.DoesNotContain(message, c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        Assert.Matches(@"\\u(202e|200b)", message);
    }

    [Trait("Security", "fuzzing")]
    [Fact]
    public void Screen_LongKeyInTheWayToAnError_IsNotEchoedWhole()
    {
        var message = (string)Screen("{\"" + new string('k', 100_000) + "\":{\"b\":tru}}").Error!["error"]!["message"]!;

        Assert.True(message.Length < 1_000, $"the message is {message.Length} characters long");
    }

    [Fact]
    public void Screen_OverTheLimit_IsRefusedBeforeParsing()
    {
        var (message, error) = MessageScreening.Screen(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""), maxBytes: 10);
        Assert.Null(message);
        Assert.Contains("limit is 10", (string)error!["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Trait("Security", "hostile-input")]
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_balance","Name":"delete_records"}}""", "\"name\" and \"Name\" at /params")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","arguments":{"amount":5,"AMOUNT":99999}}}""", "at /params/arguments")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","arguments":{"items":[{"k":1},{"\u212A":2,"k":3}]}}}""", "at /params/arguments/items/1")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping","Method":"tools/call"}""", "at /")]
    public void Screen_KeysThatDifferOnlyInCase_AreRefusedWithTheRequestsIdAndWhere(string text, string where)
    {
        var (message, error) = Screen(text);
        Assert.Null(message);
        Assert.Equal(-32600, (int)error!["error"]!["code"]!);
        Assert.Equal("1", error["id"]!.ToJsonString());
        var said = (string)error["error"]!["message"]!;
        Assert.Contains("differ only in case", said, StringComparison.Ordinal);
        Assert.Contains(where, said, StringComparison.Ordinal);
    }

    [Trait("Security", "hostile-input")]
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","Arguments":{"amount":99999}}}""", "\"Arguments\" in params is \"arguments\"")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"NAME":"pay","arguments":{}}}""", "\"NAME\" in params is \"name\"")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","_Meta":{"progressToken":1}}}""", "\"_Meta\" in params is \"_meta\"")]
    public void Screen_ADecidedParameterSpelledInAnotherCase_IsRefused(string text, string said)
    {
        // Alone, "Arguments" is no arguments to the gateway but the arguments to a case-insensitive server.
        var (message, error) = Screen(text);
        Assert.Null(message);
        Assert.Equal(-32602, (int)error!["error"]!["code"]!);
        Assert.Equal(1, (int)error["id"]!);
        Assert.Contains(said, (string)error["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Screen_SameKeyInDifferentObjects_IsNoCollision()
    {
        var (message, error) = Screen("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","arguments":{"Name":"x","items":[{"name":1},{"name":2}]}}}""");
        Assert.Null(error);
        Assert.NotNull(message);
    }
}
