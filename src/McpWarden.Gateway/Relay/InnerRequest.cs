using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>A request the aggregated session sent one of its inner sessions, under an id of its own.</summary>
internal sealed class InnerRequest(AggregateMember member, RequestId id)
{
    public AggregateMember Member { get; } = member;

    /// <summary>The aggregate's id for it, unique across all its inner sessions.</summary>
    public RequestId Id { get; } = id;

    /// <summary>The inner session's answer: a result or an error (its own timeouts included).</summary>
    public TaskCompletionSource<JsonRpcMessageWithId> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the inner session has taken the request, so that a cancellation never overtakes it.</summary>
    public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
