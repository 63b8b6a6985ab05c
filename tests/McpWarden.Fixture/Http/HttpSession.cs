using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Http;

/// <summary>One Streamable HTTP session: its transport, the SDK server running over it, and its GET stream.</summary>
internal sealed class HttpSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _running;
    private int _getStreamOpen;

    public HttpSession(string id, StreamableHttpServerTransport transport, McpServer server)
    {
        Id = id;
        Transport = transport;
        Server = server;
        _running = server.RunAsync(_stopping.Token);
    }

    public string Id { get; }

    public StreamableHttpServerTransport Transport { get; }

    public McpServer Server { get; }

    /// <summary>Claims the session's one GET stream; false when it is already open.</summary>
    public bool TryOpenGetStream() => Interlocked.CompareExchange(ref _getStreamOpen, 1, 0) == 0;

    public void CloseGetStream() => Volatile.Write(ref _getStreamOpen, 0);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Transport.DisposeAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // The session ended because it was told to.
        }

        await Server.DisposeAsync();
        _stopping.Dispose();
    }
}
