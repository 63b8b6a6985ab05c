using Xunit;

namespace McpWarden.Tests.Performance;

/// <summary>
/// The load checks never run beside one another or beside other tests: beside them they would measure the other
/// tests' load and starve their timeouts in turn. The collection keeps them off the parallel run, and
/// scripts/test.sh runs them (trait Performance=compare) in a pass of their own after the rest of the suite,
/// since in one pass they were seen overlapping other tests.
/// </summary>
[CollectionDefinition("performance", DisableParallelization = true)]
public sealed class PerformanceTestGroup;
