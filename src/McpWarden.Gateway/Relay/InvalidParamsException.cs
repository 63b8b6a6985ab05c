namespace McpWarden.Gateway.Relay;

/// <summary>A client request whose params cannot be read: answered with JSON-RPC "invalid params", and never forwarded.</summary>
internal sealed class InvalidParamsException(string message) : Exception(message);
