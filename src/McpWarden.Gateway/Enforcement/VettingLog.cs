using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging;

namespace McpWarden.Gateway.Enforcement;

/// <summary>What vetting tool lists tells the operator: drift, scan findings, a pin store that failed.</summary>
internal static partial class VettingLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "{Server} {Tool}: {Message}")]
    public static partial void Drift(ILogger logger, string server, Untrusted tool, string message);

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "{Server}: the pin store could not be checked, so the listed tools are withheld: {Reason}")]
    public static partial void PinStoreFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "{Server} {Tool}: the drift could not be written to the audit log (the tool stays hidden): {Reason}")]
    public static partial void DriftNotAudited(ILogger logger, string server, Untrusted tool, string reason);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "{Server} {Tool}: scan finding {Kind} at {Path}: {Message}; {Action}")]
    public static partial void Finding(ILogger logger, string server, Untrusted tool, string kind, string path, string message, string action);

    [LoggerMessage(EventId = 504, Level = LogLevel.Error, Message = "{Server} {Tool}: the poisoning scan failed, the tool counts as flagged: {Reason}")]
    public static partial void ScanFailed(ILogger logger, string server, Untrusted tool, string reason);

    [LoggerMessage(EventId = 505, Level = LogLevel.Information, Message = "{Server} {Tool}: the changed definition was accepted; it is the pin now")]
    public static partial void ChangeAccepted(ILogger logger, string server, Untrusted tool);

    [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "{Server} {Tool}: listed with {Count} different definitions under one name; the tool is hidden and its calls refused")]
    public static partial void ConflictingDefinitions(ILogger logger, string server, Untrusted tool, int count);
}
