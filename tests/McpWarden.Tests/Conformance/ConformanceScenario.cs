namespace McpWarden.Tests.Conformance;

/// <summary>One scenario's line in the suite's summary: how many of its checks passed and failed.</summary>
internal sealed record ConformanceScenario(string Name, int ChecksPassed, int ChecksFailed)
{
    public bool Passed => ChecksFailed == 0;
}
