namespace McpWarden.Gateway.Approvals;

/// <summary>What became of a person's decision.</summary>
public enum ApprovalDecisionResult
{
    /// <summary>The decision was recorded.</summary>
    Decided,

    /// <summary>No approval has that id.</summary>
    NotFound,

    /// <summary>The approval was no longer pending (decided, timed out, abandoned or used): nothing changed.</summary>
    NotPending,
}
