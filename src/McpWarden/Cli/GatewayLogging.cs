using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace McpWarden.Cli;

/// <summary>
/// The gateway's log: one line per event, all of it on standard error, because in stdio mode standard
/// output carries nothing but the protocol. The MCP SDK's own chatter is kept to warnings.
/// </summary>
internal static class GatewayLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(Configure);

    /// <summary>Sets up a logging builder (the web host's too) the same way.</summary>
    public static void Configure(ILoggingBuilder builder) => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        .AddFilter("Microsoft.Hosting", LogLevel.Warning)
        .AddFilter("ModelContextProtocol", LogLevel.Warning)
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
}
