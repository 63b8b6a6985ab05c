namespace McpWarden.Gateway.Approvals;

/// <summary>Where an approval is in its life. Only <see cref="Pending"/> can be decided; only <see cref="Approved"/> can be used, once.</summary>
public enum ApprovalState
{
    /// <summary>Waiting for a person.</summary>
    Pending,

    /// <summary>A person approved; the held call has not yet gone on.</summary>
    Approved,

    /// <summary>A person refused.</summary>
    Denied,

    /// <summary>No one decided before the approval's expiry.</summary>
    TimedOut,

    /// <summary>The gateway that held the call stopped before anyone decided; the call is gone.</summary>
    Abandoned,

    /// <summary>Approved, and the held call went on: it releases nothing more.</summary>
    Used,
}
