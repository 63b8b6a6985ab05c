namespace McpWarden.BenchKit;

/// <summary>The gateway would not open a session; <see cref="GatewayMessage"/> is its JSON-RPC error message, if it sent one.</summary>
public sealed class SessionOpenException(string message, string? gatewayMessage) : Exception(message)
{
    public string? GatewayMessage { get; } = gatewayMessage;
}
