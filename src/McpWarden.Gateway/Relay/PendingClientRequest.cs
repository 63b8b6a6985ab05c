using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>A client request forwarded upstream under the gateway's own id, waiting for its answer.</summary>
/// <param name="ClientId">The id the client chose, restored on the answer.</param>
/// <param name="Method">What was asked (the answer to <c>tools/list</c> is filtered on the way back).</param>
/// <param name="IsFullToolList">A <c>tools/list</c> without a cursor: if its answer has no next page, it is the whole list.</param>
internal sealed record PendingClientRequest(RequestId ClientId, string Method, bool IsFullToolList) : IDisposable
{
    /// <summary>Fires when the server has taken longer than its configured timeout.</summary>
    public ITimer? Deadline { get; set; }

    public void Dispose() => Deadline?.Dispose();
}
