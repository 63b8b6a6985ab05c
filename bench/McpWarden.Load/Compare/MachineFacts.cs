using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Compare;

/// <summary>The machine and the programs a run measured, printed with every report: figures mean nothing without them.</summary>
internal sealed record MachineFacts
{
    [JsonPropertyName("measuredAt")] public required DateTimeOffset MeasuredAt { get; init; }
    [JsonPropertyName("cores")] public required int Cores { get; init; }
    [JsonPropertyName("cpu")] public required string Cpu { get; init; }
    [JsonPropertyName("os")] public required string Os { get; init; }
    [JsonPropertyName("runtime")] public required string Runtime { get; init; }

    /// <summary>The gateway's garbage collector as shipped (its runtimeconfig.json), which the run does not change.</summary>
    [JsonPropertyName("gatewayGc")] public required string GatewayGc { get; init; }
    [JsonPropertyName("node")] public required string Node { get; init; }
    [JsonPropertyName("mcpProxy")] public required string McpProxy { get; init; }

    /// <summary>/proc/loadavg when the run began: how busy the machine already was.</summary>
    [JsonPropertyName("loadAverage")] public required string LoadAverage { get; init; }

    public static MachineFacts Read(BenchPaths paths) => new()
    {
        MeasuredAt = TimeProvider.System.GetUtcNow(),
        Cores = Environment.ProcessorCount,
        Cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown",
        Os = RuntimeInformation.OSDescription,
        Runtime = RuntimeInformation.FrameworkDescription,
        GatewayGc = GarbageCollector(Path.ChangeExtension(paths.Gateway, ".runtimeconfig.json")),
        Node = Output("node", "--version") ?? "not found",
        McpProxy = Version(paths.McpProxyPackage) ?? "not installed",
        LoadAverage = ProcFs.LoadAverage(),
    };

    public string Describe() =>
        $"{Cores} cores, {Cpu}; {Os}; {Runtime}; gateway GC {GatewayGc}; node {Node}; mcp-proxy {McpProxy}; load average {LoadAverage} at the start; {MeasuredAt:yyyy-MM-dd HH:mm} UTC";

    private static string GarbageCollector(string runtimeConfig)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_gcServer");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return $"DOTNET_gcServer={fromEnvironment} (set in the harness's environment, inherited)";
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
            return document.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties)
                && properties.TryGetProperty("System.GC.Server", out var server) && server.ValueKind == JsonValueKind.True
                ? "server"
                : "workstation";
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return "unknown";
        }
    }

    private static string? Version(string packageJson)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(packageJson));
            return document.RootElement.GetProperty("version").GetString();
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static string? Output(string program, string argument)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
            {
                return null;
            }

            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
