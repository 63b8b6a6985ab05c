using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace McpWarden.Cli;

/// <summary>
/// The gateway's log: one line per event, all of it on standard error, because in stdio mode standard
/// output carries nothing but the protocol. The MCP SDK's own chatter is kept to warnings.
/// </summary>
internal static class GatewayLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("ModelContextProtocol", LogLevel.Warning)
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        }));
}
