using System.Text.Json.Nodes;
using McpWarden.Gateway.Fronts;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts;

[Trait("Security", "hostile-input")]
public sealed class StdioHandshakeTests
{
    private static JsonRpcRequest Request(string method, long id) => new() { Id = new RequestId(id), Method = method };

    [Fact]
    public void Refusal_BeforeInitialize_OnlyPingAndInitializeGoOn()
    {
        var handshake = new StdioHandshake();

        Assert.Null(handshake.Refusal(Request(RequestMethods.Ping, 1)));
        Assert.Null(handshake.Refusal(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification }));
        var refused = handshake.Refusal(Request(RequestMethods.ToolsCall, 2))!;
        Assert.Equal(-32600, (int)refused["error"]!["code"]!);
        Assert.Contains("initialize first: \"tools/call\"", (string)refused["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Equal(2, (long)refused["id"]!);
        Assert.Null(handshake.Refusal(Request(RequestMethods.Initialize, 3)));
    }

    [Fact]
    public void Refusal_AfterTheServerAnswersInitialize_ServesRequestsAndRefusesASecondInitialize()
    {
        var handshake = new StdioHandshake();
        Assert.Null(handshake.Refusal(Request(RequestMethods.Initialize, 1)));
        Assert.Contains("already in flight", (string)handshake.Refusal(Request(RequestMethods.Initialize, 2))!["error"]!["message"]!, StringComparison.Ordinal);
        Assert.NotNull(handshake.Refusal(Request(RequestMethods.ToolsList, 3)));

        handshake.Observe(new JsonRpcResponse { Id = new RequestId(1), Result = new JsonObject() });

        Assert.Null(handshake.Refusal(Request(RequestMethods.ToolsList, 4)));
        Assert.Contains("already initialized", (string)handshake.Refusal(Request(RequestMethods.Initialize, 5))!["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_AnInitializeRefusedByTheServer_LetsTheClientTryAgain()
    {
        var handshake = new StdioHandshake();
        Assert.Null(handshake.Refusal(Request(RequestMethods.Initialize, 1)));

        // An answer to another request does not end the handshake; the refusal of initialize reopens it.
        handshake.Observe(new JsonRpcResponse { Id = new RequestId(9), Result = new JsonObject() });
        Assert.NotNull(handshake.Refusal(Request(RequestMethods.ToolsList, 2)));
        handshake.Observe(new JsonRpcError { Id = new RequestId(1), Error = new JsonRpcErrorDetail { Code = -32602, Message = "bad version" } });

        Assert.Null(handshake.Refusal(Request(RequestMethods.Initialize, 3)));
    }

    [Fact]
    public void Refusal_AnInitializeReusingTheIdOfAPingInFlight_IsRefused_SoThePingsAnswerCannotPassForItsOwn()
    {
        var handshake = new StdioHandshake();
        Assert.Null(handshake.Refusal(Request(RequestMethods.Ping, 1)));

        Assert.Contains("reuses the id of a ping", (string)handshake.Refusal(Request(RequestMethods.Initialize, 1))!["error"]!["message"]!, StringComparison.Ordinal);
        handshake.Observe(new JsonRpcResponse { Id = new RequestId(1), Result = new JsonObject() });
        Assert.NotNull(handshake.Refusal(Request(RequestMethods.ToolsCall, 2)));

        // Once the ping is answered its id is free again.
        Assert.Null(handshake.Refusal(Request(RequestMethods.Initialize, 1)));
        handshake.Observe(new JsonRpcResponse { Id = new RequestId(1), Result = new JsonObject() });
        Assert.Null(handshake.Refusal(Request(RequestMethods.ToolsCall, 2)));
    }
}
