using System.Text.Json.Nodes;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Tests.Relay;
using McpWarden.Gateway.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Upstreams;

/// <summary>
/// One server process for many sessions: one handshake, ids and progress tokens kept apart, answers to the
/// session that asked, announcements to all, no request of the server's to any client, and the lifecycle.
/// </summary>
public sealed class SharedServerTests
{
    private static readonly StdioUpstreamDefinition Definition = new("server", [], new Dictionary<string, string>(), "/") { Shared = true };
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly List<InMemoryServerTransport> _processes = [];
    private readonly SharedServer _shared;

    public SharedServerTests() => _shared = new SharedServer("server", Definition, _ => Task.FromResult<ITransport>(StartProcess()), NullLogger.Instance);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private InMemoryServerTransport Process => _processes.Single();

    [Fact]
    public async Task TheServerIsInitializedOnce_ByTheGatewayWithoutClientCapabilities_AndEverySessionHearsItsAnswer()
    {
        var (a, b) = await TwoLeasesAsync();

        await a.SendMessageAsync(Initialize(1), Token);
        await b.SendMessageAsync(Initialize(1), Token);
        await b.SendMessageAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification }, Token);

        var answerA = Assert.IsType<JsonRpcResponse>(await NextAsync(a));
        var answerB = Assert.IsType<JsonRpcResponse>(await NextAsync(b));
        Assert.Equal(new RequestId(1), answerA.Id);
        Assert.Equal("shared-fixture", answerB.Result!["serverInfo"]!["name"]!.GetValue<string>());

        var sent = Sent();
        var handshake = Assert.IsType<JsonRpcRequest>(Assert.Single(sent, m => m is JsonRpcRequest));
        Assert.Equal(RequestMethods.Initialize, handshake.Method);
        Assert.Empty(handshake.Params!["capabilities"]!.AsObject());
        Assert.Single(sent, m => m is JsonRpcNotification { Method: NotificationMethods.InitializedNotification });
    }

    [Fact]
    public async Task TwoSessionsUsingTheSameId_AreKeptApart_AndEachGetsItsOwnAnswer()
    {
        var (a, b) = await TwoLeasesAsync();

        await a.SendMessageAsync(Call(7, "from a"), Token);
        await b.SendMessageAsync(Call(7, "from b"), Token);
        var first = Assert.IsType<JsonRpcRequest>(await Process.NextSentAsync(Token));
        var second = Assert.IsType<JsonRpcRequest>(await Process.NextSentAsync(Token));
        Assert.NotEqual(first.Id, second.Id);

        // Answered in the other order: each answer still goes to the session that asked, under its own id.
        await Process.DeliverAsync(new JsonRpcResponse { Id = second.Id, Result = new JsonObject { ["echo"] = ArgumentOf(second) } });
        await Process.DeliverAsync(new JsonRpcResponse { Id = first.Id, Result = new JsonObject { ["echo"] = ArgumentOf(first) } });

        var toA = Assert.IsType<JsonRpcResponse>(await NextAsync(a));
        var toB = Assert.IsType<JsonRpcResponse>(await NextAsync(b));
        Assert.Equal((new RequestId(7), "from a"), (toA.Id, toA.Result!["echo"]!.GetValue<string>()));
        Assert.Equal((new RequestId(7), "from b"), (toB.Id, toB.Result!["echo"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ProgressTokens_AreTheGatewaysUpstream_AndEachSessionsOwnComingBack()
    {
        var (a, b) = await TwoLeasesAsync();
        var callA = Call(1, "a", progressToken: "p");
        await a.SendMessageAsync(callA, Token);
        await b.SendMessageAsync(Call(1, "b", progressToken: "p"), Token);
        var upstreamA = Assert.IsType<JsonRpcRequest>(await Process.NextSentAsync(Token));
        var upstreamB = Assert.IsType<JsonRpcRequest>(await Process.NextSentAsync(Token));
        var tokenA = upstreamA.Params!["_meta"]!["progressToken"]!.GetValue<string>();
        var tokenB = upstreamB.Params!["_meta"]!["progressToken"]!.GetValue<string>();
        Assert.NotEqual(tokenA, tokenB);
        Assert.Equal("p", callA.Params!["_meta"]!["progressToken"]!.GetValue<string>());

        await Process.DeliverAsync(Progress(tokenB, 0.5));
        await Process.DeliverAsync(Progress(tokenA, 0.25));

        var progressA = Assert.IsType<JsonRpcNotification>(await NextAsync(a));
        var progressB = Assert.IsType<JsonRpcNotification>(await NextAsync(b));
        Assert.Equal(("p", 0.25), (progressA.Params!["progressToken"]!.GetValue<string>(), progressA.Params!["progress"]!.GetValue<double>()));
        Assert.Equal(("p", 0.5), (progressB.Params!["progressToken"]!.GetValue<string>(), progressB.Params!["progress"]!.GetValue<double>()));
    }

    [Fact]
    public async Task WhatTheServerAnnounces_ReachesEverySession()
    {
        var (a, b) = await TwoLeasesAsync();

        await Process.DeliverAsync(new JsonRpcNotification { Method = NotificationMethods.ToolListChangedNotification });

        Assert.Equal(NotificationMethods.ToolListChangedNotification, Assert.IsType<JsonRpcNotification>(await NextAsync(a)).Method);
        Assert.Equal(NotificationMethods.ToolListChangedNotification, Assert.IsType<JsonRpcNotification>(await NextAsync(b)).Method);
    }

    [Fact]
    public async Task TheServersOwnRequests_AreRefusedWithoutReachingAClient_ExceptPing()
    {
        var (a, _) = await TwoLeasesAsync();

        await Process.DeliverAsync(new JsonRpcRequest { Id = new RequestId("s1"), Method = "sampling/createMessage", Params = new JsonObject() });
        await Process.DeliverAsync(new JsonRpcRequest { Id = new RequestId("s2"), Method = RequestMethods.Ping });

        var refusal = Assert.IsType<JsonRpcError>(await Process.NextSentAsync(Token));
        Assert.Equal((new RequestId("s1"), (int)McpErrorCode.MethodNotFound), (refusal.Id, refusal.Error.Code));
        var pong = Assert.IsType<JsonRpcResponse>(await Process.NextSentAsync(Token));
        Assert.Equal(new RequestId("s2"), pong.Id);
        Assert.False(a.MessageReader.TryRead(out _));
    }

    [Fact]
    public async Task ASessionsCancellation_TravelsUnderTheIdTheServerKnows()
    {
        var (a, _) = await TwoLeasesAsync();
        await a.SendMessageAsync(Call(3, "slow"), Token);
        var upstream = Assert.IsType<JsonRpcRequest>(await Process.NextSentAsync(Token));

        await a.SendMessageAsync(new JsonRpcNotification { Method = NotificationMethods.CancelledNotification, Params = new JsonObject { ["requestId"] = 3L, ["reason"] = "no longer needed" } }, Token);

        var cancelled = Assert.IsType<JsonRpcNotification>(await Process.NextSentAsync(Token));
        Assert.Equal(NotificationMethods.CancelledNotification, cancelled.Method);
        Assert.Equal(upstream.Id.ToString(), cancelled.Params!["requestId"]!.ToJsonString().Trim('"'));
    }

    [Fact]
    public async Task ASessionThatCloses_CancelsWhatItLeftWithTheServer_AndTheLastOneStopsTheProcess()
    {
        var (a, b) = await TwoLeasesAsync();
        await a.SendMessageAsync(Call(1, "left behind"), Token);
        var upstream = Assert.IsType<JsonRpcRequest>(await Process.NextSentAsync(Token));

        await a.DisposeAsync();

        var cancelled = Assert.IsType<JsonRpcNotification>(await Process.NextSentAsync(Token));
        Assert.Equal(upstream.Id.ToString(), cancelled.Params!["requestId"]!.ToJsonString().Trim('"'));
        Assert.False(Process.MessageReader.Completion.IsCompleted);

        await b.DisposeAsync();

        await Process.MessageReader.Completion.WaitAsync(Wait, Token);
        Assert.Null(_shared.TryLease());
    }

    [Fact]
    public async Task WhenTheProcessDies_EverySessionsConnectionEnds_AndNoNewLeaseIsTaken()
    {
        var (a, b) = await TwoLeasesAsync();

        Process.Close();

        await a.MessageReader.Completion.WaitAsync(Wait, Token);
        await b.MessageReader.Completion.WaitAsync(Wait, Token);
        Assert.Null(_shared.TryLease());
    }

    [Fact]
    public async Task AServerThatRefusesTheHandshake_FailsEveryWaitingSession()
    {
        var refusing = new SharedServer("server", Definition, _ => Task.FromResult<ITransport>(StartProcess(refuse: true)), NullLogger.Instance);
        var lease = refusing.TryLease()!;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => refusing.WaitStartedAsync(Token).WaitAsync(Wait, Token));
        Assert.Contains("refused the gateway's initialize", failure.Message, StringComparison.Ordinal);
        await lease.DisposeAsync();
        Assert.Null(refusing.TryLease());
    }

    private async Task<(ITransport A, ITransport B)> TwoLeasesAsync()
    {
        var a = _shared.TryLease()!;
        var b = _shared.TryLease()!;
        await _shared.WaitStartedAsync(Token).WaitAsync(Wait, Token);
        // What the handshake sent is not what the tests look at.
        Assert.IsType<JsonRpcRequest>(await Process.NextSentAsync(Token));
        Assert.IsType<JsonRpcNotification>(await Process.NextSentAsync(Token));
        return (a, b);
    }

    /// <summary>A process whose side the test plays, answering the gateway's handshake by itself.</summary>
    private InMemoryServerTransport StartProcess(bool refuse = false)
    {
        var process = new InMemoryServerTransport();
        _processes.Add(process);
        _ = Task.Run(async () =>
        {
            var sent = process.Sent;
            while (true)
            {
                await Task.Delay(5);
                JsonRpcRequest? initialize;
                lock (sent)
                {
                    initialize = sent.OfType<JsonRpcRequest>().FirstOrDefault(r => r.Method == RequestMethods.Initialize);
                }

                if (initialize is not null)
                {
                    await process.DeliverAsync(refuse
                        ? new JsonRpcError { Id = initialize.Id, Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InvalidParams, Message = "no" } }
                        : new JsonRpcResponse { Id = initialize.Id, Result = new JsonObject { ["protocolVersion"] = "2025-11-25", ["capabilities"] = new JsonObject(), ["serverInfo"] = new JsonObject { ["name"] = "shared-fixture", ["version"] = "1" } } });
                    return;
                }
            }
        });
        return process;
    }

    private List<JsonRpcMessage> Sent()
    {
        lock (Process.Sent)
        {
            return [.. Process.Sent];
        }
    }

    private static async Task<JsonRpcMessage> NextAsync(ITransport lease) => await lease.MessageReader.ReadAsync(Token).AsTask().WaitAsync(Wait, Token);

    private static JsonRpcRequest Initialize(long id) => new()
    {
        Id = new RequestId(id),
        Method = RequestMethods.Initialize,
        Params = new JsonObject { ["protocolVersion"] = "2025-06-18", ["capabilities"] = new JsonObject { ["sampling"] = new JsonObject() }, ["clientInfo"] = new JsonObject { ["name"] = "c", ["version"] = "1" } },
    };

    private static JsonRpcRequest Call(long id, string text, string? progressToken = null)
    {
        var parameters = new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["text"] = text } };
        if (progressToken is not null)
        {
            parameters["_meta"] = new JsonObject { ["progressToken"] = progressToken };
        }

        return new JsonRpcRequest { Id = new RequestId(id), Method = RequestMethods.ToolsCall, Params = parameters };
    }

    private static string ArgumentOf(JsonRpcRequest call) => call.Params!["arguments"]!["text"]!.GetValue<string>();

    private static JsonRpcNotification Progress(string token, double progress) => new()
    {
        Method = NotificationMethods.ProgressNotification,
        Params = new JsonObject { ["progressToken"] = token, ["progress"] = progress },
    };
}
