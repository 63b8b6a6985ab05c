namespace McpWarden.Gateway.Storage;

/// <summary>
/// A store whose backing service cannot be reached (a shared Redis that is down, say). The gateway turns it into
/// a refusal with the code <c>store_unavailable</c> (fail closed), or, for limits under a store configured with
/// <c>failOpen</c>, into a call let through unchecked, logged and counted.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
