namespace McpWarden.Gateway.Storage;

/// <summary>
/// A store whose backing service cannot be reached (a shared Redis that is down, say). The gateway turns it into
/// a refusal with the code <c>store_unavailable</c> (fail closed), or, for limits under a store configured with
/// <c>failOpen</c>, into a call let through unchecked, logged and counted.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
        : this("the store is unavailable")
    {
    }

    public StoreUnavailableException(string message)
        : base(message) => Reason = message;

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException) => Reason = message;

    /// <param name="message">The whole story, for operators: which endpoint, what the client library said.</param>
    /// <param name="reason">What an agent may read: why, without the store's address or internals.</param>
    public StoreUnavailableException(string message, string reason, Exception innerException)
        : base(message, innerException) => Reason = reason;

    /// <summary>Why, in words fit for a refusal an agent reads (no addresses, no library internals).</summary>
    public string Reason { get; }

    /// <summary>What a refusal caused by <paramref name="failure"/> may say: the reason of an unreachable store, else the failure's message.</summary>
    public static string RefusalText(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure is StoreUnavailableException unavailable ? unavailable.Reason : failure.Message;
    }
}
