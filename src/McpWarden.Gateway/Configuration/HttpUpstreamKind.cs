namespace McpWarden.Gateway.Configuration;

/// <summary>Which HTTP transport an upstream speaks.</summary>
public enum HttpUpstreamKind
{
    /// <summary>Streamable HTTP, falling back to legacy SSE when the server only speaks that (the default).</summary>
    AutoDetect,

    /// <summary>Streamable HTTP only (<c>"type": "http"</c>).</summary>
    StreamableHttp,

    /// <summary>The legacy HTTP+SSE transport only (<c>"type": "sse"</c>).</summary>
    Sse,
}
