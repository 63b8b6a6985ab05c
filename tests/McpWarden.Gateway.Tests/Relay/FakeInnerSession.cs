using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpWarden.Gateway.Relay;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>
/// Isolation only: one inner session of an aggregated session, played by the test. What the aggregate sends it
/// is collected; what the test sends through <see cref="SendAsync"/> reaches the aggregate as if from the session.
/// </summary>
internal sealed class FakeInnerSession(string name, Func<JsonRpcMessage, Task> toAggregate) : IRelaySession
{
    private readonly Channel<JsonRpcMessage> _received = Channel.CreateUnbounded<JsonRpcMessage>();

    public string Name { get; } = name;

    public bool Started { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>Everything the aggregate sent, in order.</summary>
    public List<JsonRpcMessage> Received { get; } = [];

    public void Start() => Started = true;

    public Task FromClientAsync(JsonRpcMessage message)
    {
        lock (Received)
        {
            Received.Add(message);
        }

        _received.Writer.TryWrite(message);
        return Task.CompletedTask;
    }

    /// <summary>The next message the aggregate sends this session.</summary>
    public async Task<JsonRpcMessage> NextAsync() =>
        await _received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    /// <summary>The next message, which must be a request for <paramref name="method"/>.</summary>
    public async Task<JsonRpcRequest> NextRequestAsync(string method)
    {
        var request = Assert.IsType<JsonRpcRequest>(await NextAsync());
        Assert.Equal(method, request.Method);
        return request;
    }

    /// <summary>Answers the next request, which must be for <paramref name="method"/>, with <paramref name="result"/>.</summary>
    public async Task<JsonRpcRequest> AnswerNextAsync(string method, string result)
    {
        var request = await NextRequestAsync(method);
        await SendAsync(new JsonRpcResponse { Id = request.Id, Result = JsonNode.Parse(result) });
        return request;
    }

    /// <summary>Answers the next <paramref name="count"/> requests by method, whatever order they come in.</summary>
    public async Task AnswerByMethodAsync(int count, IReadOnlyDictionary<string, string> results)
    {
        for (var i = 0; i < count; i++)
        {
            var request = Assert.IsType<JsonRpcRequest>(await NextAsync());
            await SendAsync(new JsonRpcResponse { Id = request.Id, Result = JsonNode.Parse(results[request.Method]) });
        }
    }

    public Task SendAsync(JsonRpcMessage message) => toAggregate(message);

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
