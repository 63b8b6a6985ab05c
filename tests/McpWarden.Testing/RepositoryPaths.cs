namespace McpWarden.Testing;

/// <summary>Finds the repository from a test's output directory, and what lies beside it.</summary>
public static class RepositoryPaths
{
    /// <summary>The directory holding <c>McpWarden.slnx</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string Vectors => Path.Combine(Root, "tests", "vectors");

    public static string Samples => Path.Combine(Root, "samples");

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
