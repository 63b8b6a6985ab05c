namespace McpWarden.Policy.Definitions;

/// <summary>Who is asked to approve a held call.</summary>
public enum ApprovalChannel
{
    /// <summary>A person deciding through the gateway's approval queue (admin API, CLI, web UI).</summary>
    Queue,

    /// <summary>
    /// The calling client's user, through MCP elicitation, when the client declared it can ask; otherwise the queue.
    /// </summary>
    Client,
}
