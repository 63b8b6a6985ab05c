namespace McpWarden.Gateway.Configuration;

/// <summary>How telemetry reaches an OTLP collector.</summary>
public enum OtlpProtocol
{
    /// <summary><c>http/protobuf</c>: POSTs to <c>/v1/traces</c> and <c>/v1/metrics</c> under the endpoint (a collector's port 4318).</summary>
    HttpProtobuf,

    /// <summary><c>grpc</c>: the OTLP gRPC services at the endpoint (a collector's port 4317).</summary>
    Grpc,
}
