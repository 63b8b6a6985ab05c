using Microsoft.Extensions.Logging;

namespace McpWarden.Gateway.Enforcement;

/// <summary>The gate's diagnostics: what could not be recorded or asked.</summary>
internal static partial class GateLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "{Server} {Tool}: the audit record could not be written, so the call is refused: {Reason}")]
    public static partial void AuditFailed(ILogger logger, string server, Relay.Untrusted tool, string reason);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "audit record {Id}: the server's answer could not be recorded: {Reason}")]
    public static partial void OutcomeNotRecorded(ILogger logger, long id, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "{Server} {Tool}: held for approval {ApprovalId}, up to {Timeout}s")]
    public static partial void Held(ILogger logger, string server, Relay.Untrusted tool, string approvalId, double timeout);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "approval {ApprovalId}: {State} by {DecidedBy}")]
    public static partial void ApprovalEnded(ILogger logger, string approvalId, Approvals.ApprovalState state, string? decidedBy);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "approval {ApprovalId}: the client could not be asked, the queue decides: {Reason}")]
    public static partial void ClientNotAsked(ILogger logger, string approvalId, string reason);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "approval {ApprovalId}: could not be marked abandoned (it will expire): {Reason}")]
    public static partial void NotAbandoned(ILogger logger, string approvalId, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "{Server} {Tool}: the approval could not be recorded, so the call is refused: {Reason}")]
    public static partial void ApprovalNotRecorded(ILogger logger, string server, Relay.Untrusted tool, string reason);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "{Server} {Tool}: let through with its limits unchecked (store failOpen): {Reason}")]
    public static partial void FailedOpen(ILogger logger, string server, Relay.Untrusted tool, string reason);
}
