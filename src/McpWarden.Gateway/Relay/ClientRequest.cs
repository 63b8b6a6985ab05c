using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// A client request the gateway is working on: first being decided (cancellable before anything reaches
/// the server), then forwarded under the gateway's own id with a deadline.
/// </summary>
internal sealed class ClientRequest : IDisposable
{
    public ClientRequest(RequestId clientId, string method, CancellationToken closing)
    {
        ClientId = clientId;
        Method = method;
        Cancellation = CancellationTokenSource.CreateLinkedTokenSource(closing);
    }

    /// <summary>The id the client chose, restored on the answer.</summary>
    public RequestId ClientId { get; }

    public string Method { get; }

    /// <summary>Cancelled when the client cancels while the request is still being decided, or the session closes.</summary>
    public CancellationTokenSource Cancellation { get; }

    /// <summary>The gateway's id for it upstream, once forwarded.</summary>
    public RequestId? UpstreamId { get; set; }

    /// <summary>Fires when the server has taken longer than its configured timeout.</summary>
    public ITimer? Deadline { get; set; }

    /// <summary>The client's <c>progressToken</c> as raw JSON, when it asked for progress (progress from the server pushes the deadline back).</summary>
    public string? ProgressToken { get; set; }

    /// <summary>When the request was forwarded: progress never extends it past the session's maximum.</summary>
    public long ForwardedAt { get; set; }

    public void Dispose()
    {
        Deadline?.Dispose();
        Cancellation.Dispose();
    }
}
