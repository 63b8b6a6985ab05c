namespace McpWarden.Gateway.Audit;

/// <summary>What became of a call the gateway forwarded.</summary>
public static class AuditOutcomes
{
    /// <summary>The server answered with a result.</summary>
    public const string Ok = "ok";

    /// <summary>The server answered with a result marked <c>isError</c>.</summary>
    public const string ToolError = "tool_error";

    /// <summary>The server answered with a JSON-RPC error.</summary>
    public const string Error = "error";

    /// <summary>The client cancelled the call before the server answered.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The server did not answer within its timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The server went away before it answered.</summary>
    public const string Unavailable = "unavailable";
}
