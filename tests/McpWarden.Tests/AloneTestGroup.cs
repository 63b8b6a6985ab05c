using Xunit;

namespace McpWarden.Tests;

/// <summary>
/// The tests that saturate both cores for a minute or more (the load harness's compare check, the soak) never run
/// beside one another or beside other tests: beside them they would measure the other tests' load — the soak's
/// memory verdict was seen failing on a warm-up that a starved gateway had not finished in 60 seconds — and starve
/// those tests' timeouts in turn. The collection keeps them off the parallel run; scripts/test.sh runs them (trait
/// <c>Run=alone</c>) in a pass of their own after the rest of the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneTestGroup
{
    public const string Name = "alone";

    /// <summary>The trait scripts/test.sh selects the second pass by: <c>Run=alone</c>.</summary>
    public const string Trait = "Run";

    public const string TraitValue = "alone";
}
