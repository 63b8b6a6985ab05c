namespace McpWarden.Gateway.Audit;

/// <summary>What the audit log keeps of a call's arguments: always their hash; the arguments themselves only when asked, secrets redacted.</summary>
/// <param name="RecordArguments">Whether records carry the (redacted) arguments; off by default.</param>
/// <param name="Redactor">Which member names hold secrets (also applied to what approvers see).</param>
public sealed record AuditSettings(bool RecordArguments, ArgumentRedactor Redactor)
{
    public static AuditSettings Default { get; } = new(false, ArgumentRedactor.Default);
}
