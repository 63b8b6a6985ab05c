namespace McpWarden.Load.Startup;

/// <summary>A start that did not produce the answers measured: the run fails rather than report a figure that means nothing.</summary>
internal sealed class StartupFailedException : Exception
{
    public StartupFailedException()
    {
    }

    public StartupFailedException(string message)
        : base(message)
    {
    }

    public StartupFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
