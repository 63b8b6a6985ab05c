namespace McpWarden.Gateway.Audit;

/// <summary>
/// An audit record could not be written where a store writes it together with other state (see
/// <see cref="Storage.IAdmissionStore"/>): the gateway refuses the call as it does any unrecorded decision, and
/// the store has kept nothing of that write.
/// </summary>
public sealed class AuditWriteException : Exception
{
    public AuditWriteException()
        : base("the audit record could not be written")
    {
    }

    public AuditWriteException(string message)
        : base(message)
    {
    }

    public AuditWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
