using System.Text.Json.Serialization;

namespace McpWarden.Load.Compare;

/// <summary>The CPU and memory of one role of a scenario over the measured window.</summary>
internal sealed record ProcessFigures
{
    /// <summary>front (what the clients speak to), upstream (the fixture process or processes behind it), harness.</summary>
    [JsonPropertyName("role")] public required string Role { get; init; }
    [JsonPropertyName("what")] public required string What { get; init; }

    /// <summary>How many processes the figures sum (the stdio servers of (c) and (d)).</summary>
    [JsonPropertyName("processes")] public required int Processes { get; init; }

    /// <summary>utime + stime over the measured window, from /proc/PID/stat.</summary>
    [JsonPropertyName("cpuSeconds")] public required double CpuSeconds { get; init; }
    [JsonPropertyName("cpuSecondsPer1000Calls")] public required double CpuSecondsPer1000Calls { get; init; }

    /// <summary>This role's part of the CPU every role used in the window (harness included).</summary>
    [JsonPropertyName("cpuShare")] public required double CpuShare { get; init; }

    /// <summary>VmHWM from /proc/PID/status at the end, summed over the role's processes: the peak of each, not of the sum.</summary>
    [JsonPropertyName("peakRssMiB")] public required double PeakRssMiB { get; init; }
}
