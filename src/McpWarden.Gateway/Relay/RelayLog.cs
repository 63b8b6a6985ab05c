using McpWarden.Policy.Evaluation;
using Microsoft.Extensions.Logging;

namespace McpWarden.Gateway.Relay;

/// <summary>The relay's diagnostics. Decisions are logged here for operators; the audit record is a separate, typed thing.</summary>
internal static partial class RelayLog
{
    /// <summary>
    /// A decision on a tools/call: a refusal (or a hold) at Information, a plain allow at Debug. Every decision is
    /// in the audit log already; a line per allowed call would cost each call a formatted write to standard error
    /// and bury the refusals an operator reads the log for.
    /// </summary>
    public static void Decided(ILogger logger, string server, Untrusted tool, LoggedDecision decision)
    {
        if (decision.Decision.IsAllowed && decision.Decision.Code == ReasonCodes.Allowed)
        {
            Allowed(logger, server, tool, decision);
        }
        else
        {
            Refused(logger, server, tool, decision);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Server} {Tool}: {Decision}")]
    private static partial void Refused(ILogger logger, string server, Untrusted tool, LoggedDecision decision);

    [LoggerMessage(EventId = 123, Level = LogLevel.Debug, Message = "{Server} {Tool}: {Decision}")]
    private static partial void Allowed(ILogger logger, string server, Untrusted tool, LoggedDecision decision);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "{Server}: dropped a notification named like a request, {Method}: requests need an id")]
    public static partial void DroppedIdlessRequest(ILogger logger, string server, Untrusted method);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "{Server}: dropped a request whose id {Id} is already in use by a request in flight")]
    public static partial void DroppedDuplicateId(ILogger logger, string server, ModelContextProtocol.Protocol.RequestId id);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "{Server}: dropped an answer to request {Id} that is no longer awaited ({Side})")]
    public static partial void DroppedStrayAnswer(ILogger logger, string server, ModelContextProtocol.Protocol.RequestId id, string side);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "{Server}: could not relay a message from the {Side}: {Reason}")]
    public static partial void RelayFailed(ILogger logger, string server, string side, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "{Server}: {Finding}")]
    public static partial void CatalogFinding(ILogger logger, string server, string finding);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "{Server}: stopped reading tools/list after {Pages} pages; tools beyond them are unknown to the gateway and refused")]
    public static partial void CatalogTruncated(ILogger logger, string server, int pages);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "{Server}: could not refresh the tool list: {Reason}")]
    public static partial void RefreshFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "{Server}: {Method} timed out after {After}")]
    public static partial void TimedOut(ILogger logger, string server, string method, string after);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "{Server}: closing the connection failed: {Reason}")]
    public static partial void CloseFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "{Server}: background work failed: {Reason}")]
    public static partial void WorkFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "{Server}: the connection closed; {InFlight} request(s) in flight were answered with an error")]
    public static partial void UpstreamClosed(ILogger logger, string server, int inFlight);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "{Server}: restart attempt {Attempt} of {MaxAttempts} in {DelaySeconds} s")]
    public static partial void RestartScheduled(ILogger logger, string server, int attempt, int maxAttempts, double delaySeconds);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "{Server}: restart attempt {Attempt} failed: {Reason}")]
    public static partial void RestartFailed(ILogger logger, string server, int attempt, Untrusted reason);

    [LoggerMessage(EventId = 114, Level = LogLevel.Information, Message = "{Server}: restarted on attempt {Attempt}")]
    public static partial void Restarted(ILogger logger, string server, int attempt);

    [LoggerMessage(EventId = 115, Level = LogLevel.Error, Message = "{Server}: gave up restarting after {Attempts} attempts; requests are refused until the client opens a new session")]
    public static partial void RestartGaveUp(ILogger logger, string server, int attempts);

    [LoggerMessage(EventId = 140, Level = LogLevel.Warning, Message = "{Server}: could not be started, and is left out of the aggregated session: {Reason}")]
    public static partial void AggregateOpenFailed(ILogger logger, string server, Untrusted reason);

    [LoggerMessage(EventId = 141, Level = LogLevel.Warning, Message = "{Server}: failed to initialize, and is left out of the aggregated session: {Reason}")]
    public static partial void AggregateInitializeFailed(ILogger logger, string server, Untrusted reason);

    [LoggerMessage(EventId = 142, Level = LogLevel.Warning, Message = "{Server}: {Method} failed in the aggregated session: {Reason}")]
    public static partial void AggregateFanOutFailed(ILogger logger, string server, string method, Untrusted reason);

    [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "{Server}: lists {Uri}, which {Owner}, configured earlier, lists too and serves on the aggregated endpoint")]
    public static partial void AggregateDuplicateUri(ILogger logger, string server, Untrusted uri, string owner);

    [LoggerMessage(EventId = 144, Level = LogLevel.Debug, Message = "{Server}: dropped a message from a server left out of the aggregated session ({Method})")]
    public static partial void AggregateDroppedFromLeftOut(ILogger logger, string server, Untrusted method);

    [LoggerMessage(EventId = 145, Level = LogLevel.Warning, Message = "aggregated session: {What}")]
    public static partial void AggregateDropped(ILogger logger, string what);

    [LoggerMessage(EventId = 146, Level = LogLevel.Warning, Message = "{Server}: stopped reading {Method} after {Pages} pages; the rest is not listed on the aggregated endpoint")]
    public static partial void AggregateListTruncated(ILogger logger, string server, string method, int pages);

    [LoggerMessage(EventId = 147, Level = LogLevel.Warning, Message = "aggregated session: could not relay a message from {Side}: {Reason}")]
    public static partial void AggregateRelayFailed(ILogger logger, string side, string reason);

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "refused a message from the client: {Reason}")]
    public static partial void RefusedClientMessage(ILogger logger, string reason);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "the client is not reading its output: {Capacity} messages wait unread, so {Method} and what follows it are dropped until it catches up (the client is told how many)")]
    public static partial void SlowClientDropped(ILogger logger, Untrusted method, int capacity);

    [LoggerMessage(EventId = 122, Level = LogLevel.Information, Message = "the client closed the gateway's output: {Reason}")]
    public static partial void ClientOutputClosed(ILogger logger, string reason);

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "{Server} stderr: {Line}")]
    public static partial void ServerStandardError(ILogger logger, string server, Untrusted line);
}
