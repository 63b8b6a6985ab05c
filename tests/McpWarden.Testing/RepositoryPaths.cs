using Xunit;

namespace McpWarden.Testing;

/// <summary>Finds the repository from a test's output directory, and what lies beside it.</summary>
public static class RepositoryPaths
{
    /// <summary>The directory holding <c>McpWarden.slnx</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string Vectors => Path.Combine(Root, "tests", "vectors");

    public static string Samples => Path.Combine(Root, "samples");

    /// <summary>Overrides where the official JSON Schema test suite is read from.</summary>
    public const string SuiteOverrideVariable = "MCPWARDEN_JSON_SCHEMA_SUITE";

    /// <summary>
    /// The official JSON Schema test suite (holding tests/draft7 and tests/draft2020-12), beside the
    /// repository in shared/; a missing suite fails the test that needs it, saying where it looked.
    /// </summary>
    public static string JsonSchemaSuite
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(SuiteOverrideVariable);
            var candidate = string.IsNullOrEmpty(overridden)
                ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", "json-schema-test-suite"))
                : Path.GetFullPath(overridden);
            if (!Directory.Exists(Path.Combine(candidate, "tests", "draft2020-12")) || !Directory.Exists(Path.Combine(candidate, "tests", "draft7")))
            {
                Assert.Fail($"The JSON Schema test suite was not found at {candidate} (expected tests/draft7 and tests/draft2020-12 under it). "
                    + $"Put it at ../shared/data/json-schema-test-suite beside the repository, or set {SuiteOverrideVariable} to its path.");
            }

            return candidate;
        }
    }

    /// <summary>
    /// A harness under bench/ (<c>McpWarden.Load</c>, <c>McpWarden.Soak</c>), built by the test project's build (a
    /// build-only reference) in the same configuration as the tests.
    /// </summary>
    public static string BenchHarness(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(Root, "bench", project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built at {path} (dotnet build tests/McpWarden.Tests -c {configuration} builds it)");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "McpWarden.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"McpWarden.slnx not found above {AppContext.BaseDirectory}");
    }
}
