using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>A request an inner session made of the client (sampling, elicitation, roots), relayed under the aggregate's id.</summary>
/// <param name="InnerId">The id the inner session gave it, restored on the client's answer.</param>
/// <param name="ProgressToken">The request's <c>progressToken</c> as raw JSON: progress the client reports on it goes to the same server.</param>
internal sealed record RelayedServerRequest(AggregateMember Member, RequestId InnerId, string? ProgressToken);
