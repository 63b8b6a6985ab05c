namespace McpWarden.Cli;

/// <summary>What <c>mcpwarden approvals</c> was asked to do.</summary>
/// <param name="Action"><c>list</c>, <c>approve</c> or <c>deny</c>.</param>
/// <param name="Id">The approval to decide (not for <c>list</c>).</param>
/// <param name="Url">The gateway's address.</param>
/// <param name="Token">The admin token.</param>
/// <param name="Json">For <c>list</c>: one JSON object per line.</param>
internal sealed record ApprovalsRequest(string Action, string? Id, string? Reason, string Url, string? Token, bool Json);
