using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// What a front talks to: one client's conversation with the server (or servers) it reached through the
/// gateway. The front hands over every message the client sends; the session answers through the callback
/// it was opened with.
/// </summary>
public interface IRelaySession : IAsyncDisposable
{
    /// <summary>Starts relaying the server's messages to the client.</summary>
    void Start();

    /// <summary>Handles one message from the client, already screened by the front.</summary>
    Task FromClientAsync(JsonRpcMessage message);
}
