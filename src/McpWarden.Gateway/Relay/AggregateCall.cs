using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// A client request the aggregated session is working on: the requests it made of inner sessions for it
/// (one when routed, one per server when fanned out), and whether it has been answered or cancelled.
/// </summary>
internal sealed class AggregateCall : IDisposable
{
    public AggregateCall(RequestId clientId, CancellationToken closing)
    {
        ClientId = clientId;
        Cancellation = CancellationTokenSource.CreateLinkedTokenSource(closing);
    }

    /// <summary>Guards <see cref="Finished"/> and <see cref="Outstanding"/>.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The id the client chose, restored on the answer.</summary>
    public RequestId ClientId { get; }

    /// <summary>Set (under the gate) once the call is answered or cancelled: nothing more is sent for it.</summary>
    public bool Finished { get; set; }

    /// <summary>The inner requests not yet answered (under the gate): what a cancellation must reach.</summary>
    public List<InnerRequest> Outstanding { get; } = [];

    /// <summary>Cancelled when the client cancels the call or the session closes; whoever waits for an inner answer stops.</summary>
    public CancellationTokenSource Cancellation { get; }

    public void Dispose() => Cancellation.Dispose();
}
