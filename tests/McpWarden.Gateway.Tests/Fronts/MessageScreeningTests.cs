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
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"x":[{"amount":1,"AMOUNT":2}]}}}""", "\"amount\" and \"AMOUNT\" at /params/arguments/x/0")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"Method":"tools/call","method":"ping"}""", "\"Method\" and \"method\" at / differ")]
    public void Screen_KeysThatDifferOnlyInCase_AreRefusedLikeDuplicates(string text, string fragment)
    {
        // The SDK reads protocol JSON case-insensitively: such a message would otherwise be judged on one key and run on another, or crash the reader.
        var (message, error) = Screen(text);
        Assert.Null(message);
        Assert.Equal(-32600, (int)error!["error"]!["code"]!);
        var why = (string)error["error"]!["message"]!;
        Assert.Contains("differ only in case", why, StringComparison.Ordinal);
        Assert.Contains(fragment, why, StringComparison.Ordinal);
    }

    [Trait("Security", "hostile-input")]
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":5}}""", "number 5")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","_meta":[1]}}""", "an array")]
    public void Screen_MetaThatIsNotAnObject_IsInvalidParamsWithTheRequestsId(string text, string got)
    {
        // Reading a progress token from such a _meta once crashed the HTTP handler and left the id in flight.
        var (message, error) = Screen(text);
        Assert.Null(message);
        Assert.Equal(-32602, (int)error!["error"]!["code"]!);
        Assert.Equal("\"params._meta\" must be an object, got " + got, (string)error["error"]!["message"]!);
        Assert.Equal(1, (int)error["id"]!);
    }
}
