using System.Text.Json.Serialization;

namespace McpWarden.Load.Compare;

/// <summary>One scenario at one concurrency.</summary>
internal sealed record ScenarioResult
{
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("concurrency")] public required int Concurrency { get; init; }

    /// <summary>Calls started in the measured window, every one answered with the text sent.</summary>
    [JsonPropertyName("calls")] public required long Calls { get; init; }
    [JsonPropertyName("warmupCalls")] public required long WarmupCalls { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("callsPerSecond")] public required double CallsPerSecond { get; init; }
    [JsonPropertyName("latencyMs")] public required LatencyFigures LatencyMs { get; init; }
    [JsonPropertyName("processes")] public required IReadOnlyList<ProcessFigures> Processes { get; init; }

    /// <summary>Against (a) at the same concurrency; null for (a) itself or when (a) was not run.</summary>
    [JsonPropertyName("vsDirect")] public RatioFigures? VsDirect { get; init; }

    /// <summary>Why the scenario failed (the first wrong answer, or a process that would not start); null when it did not.</summary>
    [JsonPropertyName("failure")] public string? Failure { get; init; }

    public ProcessFigures? Role(string role) => Processes.FirstOrDefault(p => p.Role == role);

    /// <summary>A run with nothing measured yet (every figure zero): a failed one, or the start of one to fill in.</summary>
    public static ScenarioResult Unmeasured(Scenario scenario, int concurrency, string? failure) => new()
    {
        Scenario = scenario.Letter.ToString(),
        Title = scenario.Title,
        Concurrency = concurrency,
        Calls = 0,
        WarmupCalls = 0,
        Seconds = 0,
        CallsPerSecond = 0,
        LatencyMs = new LatencyFigures { P50 = 0, P99 = 0, P999 = 0, Max = 0, Mean = 0 },
        Processes = [],
        Failure = failure,
    };
}
