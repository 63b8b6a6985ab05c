using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// A client request the gateway is working on: first being decided (cancellable before anything reaches
/// the server), then forwarded under the gateway's own id with a deadline. Its transitions happen under
/// <see cref="Gate"/>, so a cancellation and the start of forwarding can never both win.
/// </summary>
internal sealed class ClientRequest : IDisposable
{
    public ClientRequest(RequestId clientId, string method, CancellationToken closing)
    {
        ClientId = clientId;
        Method = method;
        Cancellation = CancellationTokenSource.CreateLinkedTokenSource(closing);
    }

    /// <summary>Guards <see cref="Finished"/>, <see cref="CancelRequested"/>, <see cref="UpstreamId"/> and the deadline.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The id the client chose, restored on the answer.</summary>
    public RequestId ClientId { get; }

    public string Method { get; }

    /// <summary>Cancelled when the client cancels while the request is still being decided, or the session closes.</summary>
    public CancellationTokenSource Cancellation { get; }

    /// <summary>Set (under the gate) once the request is answered, cancelled or abandoned: nothing more may happen to it.</summary>
    public bool Finished { get; set; }

    /// <summary>Set (under the gate) when the client cancelled before the request was forwarded.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>The gateway's id for it upstream, once forwarding has begun.</summary>
    public RequestId? UpstreamId { get; set; }

    /// <summary>Completes when the request has been written upstream, so that a cancellation never overtakes it.</summary>
    public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fires when the server has taken longer than its configured timeout.</summary>
    public ITimer? Deadline { get; set; }

    /// <summary>The client's <c>progressToken</c> as raw JSON, when it asked for progress (progress from the server pushes the deadline back).</summary>
    public string? ProgressToken { get; set; }

    /// <summary>When the request was forwarded: progress never extends it past the session's maximum.</summary>
    public long ForwardedAt { get; set; }

    /// <summary>For a <c>tools/call</c>: its span, when it is traced; ended by whoever finishes the request.</summary>
    public System.Diagnostics.Activity? Span { get; set; }

    /// <summary>For a <c>tools/call</c> the gate refused: the reason code the client was given.</summary>
    public string? RefusedWith { get; set; }

    private long _auditId;

    /// <summary>For an admitted <c>tools/call</c>: the audit record its outcome completes (the server's answer, or a cancellation).</summary>
    public long? AuditId
    {
        get => Interlocked.Read(ref _auditId) is var id and not 0 ? id : null;
        set => Interlocked.Exchange(ref _auditId, value ?? 0);
    }

    /// <summary>The audit record to complete, handed out once: whichever path finishes the request last must not complete it twice.</summary>
    public long? TakeAuditId() => Interlocked.Exchange(ref _auditId, 0) is var id and not 0 ? id : null;

    public void Dispose()
    {
        Deadline?.Dispose();
        Cancellation.Dispose();
    }
}
