using System.Text;
using McpWarden.Gateway.Fronts;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts;

[Trait("Security", "faults")]
public sealed class StdioFrontTests
{
    [Fact]
    public async Task AClientThatClosedItsOutput_EndsTheConversation_WithoutAnExceptionFromAnErrorFrame()
    {
        var session = new SilentSession();
        using var front = new StdioFront((_, _, _) => Task.FromResult<IRelaySession>(session), NullLoggerFactory.Instance);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("this is not JSON\n{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"));

        await front.RunAsync(input, new ClosedOutput(), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(session.Disposed);
        Assert.Empty(session.Received);
    }

    /// <summary>A pipe whose reader is gone: every write fails as EPIPE does.</summary>
    private sealed class ClosedOutput : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("Broken pipe");
    }

    private sealed class SilentSession : IRelaySession
    {
        public List<JsonRpcMessage> Received { get; } = [];

        public bool Disposed { get; private set; }

        public void Start()
        {
        }

        public Task FromClientAsync(JsonRpcMessage message)
        {
            Received.Add(message);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
