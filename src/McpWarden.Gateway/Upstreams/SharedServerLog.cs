using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging;

namespace McpWarden.Gateway.Upstreams;

/// <summary>The diagnostics of servers shared among sessions.</summary>
internal static partial class SharedServerLog
{
    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "{Server}: started one process for every session (shared)")]
    public static partial void Started(ILogger logger, string server);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "{Server}: the shared process ended; its {Sessions} sessions reconnect")]
    public static partial void Ended(ILogger logger, string server, int sessions);

    [LoggerMessage(EventId = 152, Level = LogLevel.Warning, Message = "{Server}: refused the shared server's request {Method}: a server shared among sessions cannot ask a client")]
    public static partial void RefusedServerRequest(ILogger logger, string server, Untrusted method);

    [LoggerMessage(EventId = 153, Level = LogLevel.Debug, Message = "{Server}: dropped an answer from the {Side} to nothing in flight (shared server)")]
    public static partial void DroppedStray(ILogger logger, string server, string side);

    [LoggerMessage(EventId = 154, Level = LogLevel.Warning, Message = "{Server}: reading the shared server failed: {Reason}")]
    public static partial void ReadFailed(ILogger logger, string server, string reason);
}
