namespace McpWarden.Policy.Definitions;

/// <summary>A rule's <c>approval</c> block: how long a held call waits, and who is asked.</summary>
public sealed record ApprovalDefinition(TimeSpan Timeout, ApprovalChannel Via)
{
    /// <summary>Five minutes, through the queue.</summary>
    public static ApprovalDefinition Default { get; } = new(TimeSpan.FromSeconds(300), ApprovalChannel.Queue);
}
