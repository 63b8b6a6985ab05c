using Xunit;

namespace McpWarden.Policy.Tests.Schema;

/// <summary>Finds the repository root and the JSON Schema test suite checked out beside it.</summary>
internal static class RepositoryPaths
{
    public const string SuiteOverrideVariable = "MCPWARDEN_JSON_SCHEMA_SUITE";

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "McpWarden.slnx")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No directory above {AppContext.BaseDirectory} contains McpWarden.slnx.");
        }
    }

    /// <summary>The suite root (holding tests/draft7 and tests/draft2020-12), or a failure saying where it looked.</summary>
    public static string SuiteRoot
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(SuiteOverrideVariable);
            var candidate = string.IsNullOrEmpty(overridden)
                ? Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "json-schema-test-suite"))
                : Path.GetFullPath(overridden);
            if (!Directory.Exists(Path.Combine(candidate, "tests", "draft2020-12")) || !Directory.Exists(Path.Combine(candidate, "tests", "draft7")))
            {
                Assert.Fail($"The JSON Schema test suite was not found at {candidate} (expected tests/draft7 and tests/draft2020-12 under it). "
                    + $"Clone https://github.com/json-schema-org/JSON-Schema-Test-Suite to ../shared/data/json-schema-test-suite "
                    + $"beside the repository, or set {SuiteOverrideVariable} to its path.");
            }

            return candidate;
        }
    }
}
