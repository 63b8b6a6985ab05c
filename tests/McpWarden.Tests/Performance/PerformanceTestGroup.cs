using Xunit;

namespace McpWarden.Tests.Performance;

/// <summary>
/// The load checks run alone, after every test that runs in parallel has finished: beside other tests they would
/// measure the other tests' load, and load them in turn.
/// </summary>
[CollectionDefinition("performance", DisableParallelization = true)]
public sealed class PerformanceTestGroup;
