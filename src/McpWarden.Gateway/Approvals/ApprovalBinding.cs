namespace McpWarden.Gateway.Approvals;

/// <summary>
/// What an approval is for, exactly: approving one call never releases another from a different grant,
/// to a different tool, with different arguments, or decided under a different policy.
/// </summary>
/// <param name="ArgumentsSha256">Lower-case hex SHA-256 of the canonical JSON of the arguments.</param>
/// <param name="PolicyRevision">The revision of the policy that held the call.</param>
public readonly record struct ApprovalBinding(string Grant, string Server, string Tool, string ArgumentsSha256, string PolicyRevision);
