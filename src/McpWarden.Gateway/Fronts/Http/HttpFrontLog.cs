using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>What the HTTP front logs.</summary>
internal static partial class HttpFrontLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "{Session}: the server sent {Method}, but the client has no open stream to carry it; the server was answered with an error")]
    public static partial void NoStreamForRequest(ILogger logger, string session, Untrusted method);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "{Session}: dropped {Method}: the client has no open stream to carry it")]
    public static partial void NoStreamForNotification(ILogger logger, string session, Untrusted method);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "{Session}: dropped an answer to {Id}, which no request in flight has")]
    public static partial void AnswerWithoutRequest(ILogger logger, string session, RequestId id);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "{Session}: the answer to {Id} was ready after the client had gone")]
    public static partial void AnswerToGoneClient(ILogger logger, string session, RequestId id);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "{Session}: closed after {IdleTimeout} unused")]
    public static partial void SessionExpired(ILogger logger, string session, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "{Session}: closed by a reload: {Reason}")]
    public static partial void SessionClosedByReload(ILogger logger, string session, string reason);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "{Session}: the client is not reading its stream: {Capacity} messages wait unread, so {Method} and what follows it are dropped until it catches up (the client is told how many)")]
    public static partial void SlowClientDropped(ILogger logger, string session, Untrusted method, int capacity);
}
