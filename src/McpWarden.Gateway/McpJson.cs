using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway;

/// <summary>The SDK's own serialization of protocol types, so that messages are read and written exactly as it does.</summary>
public static class McpJson
{
    public static JsonTypeInfo<JsonRpcMessage> Message { get; } =
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    public static JsonTypeInfo<RequestId> RequestId { get; } =
        (JsonTypeInfo<RequestId>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(RequestId));
}
