using Microsoft.Extensions.Logging;

namespace McpWarden.Reload;

/// <summary>What reloading the configuration logs.</summary>
internal static partial class ReloadLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "configuration revision {Revision} in force: servers added [{Added}], removed [{Removed}], restarted [{Replaced}], policy, mode or timeout changed [{Updated}]; grants changed: {GrantsChanged}")]
    public static partial void Reloaded(ILogger logger, int revision, string added, string removed, string replaced, string updated, bool grantsChanged);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "configuration change refused ({Errors} errors); revision {Revision} stays in force")]
    public static partial void Refused(ILogger logger, int errors, int revision);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "reload: {Code} {Diagnostic}")]
    public static partial void Diagnostic(ILogger logger, string code, string diagnostic);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "reload: {Settings} changed in the file but take effect only after a restart; the values the gateway started with stay in force")]
    public static partial void NotApplied(ILogger logger, string settings);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "reload: {Closed} sessions closed: their server was removed or is reached differently, or their grant may no longer use them")]
    public static partial void SessionsClosed(ILogger logger, int closed);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "reload: {What}")]
    public static partial void Kept(ILogger logger, string what);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "reload failed: {Message}")]
    public static partial void Failed(ILogger logger, string message);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "reload requested by SIGHUP")]
    public static partial void Hangup(ILogger logger);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "SIGHUP was ignored when the gateway started (nohup?); it now requests a reload, and still never ends the gateway")]
    public static partial void HangupWasIgnored(ILogger logger);
}
