namespace McpWarden.Cli;

/// <summary>Expands the paths a user gave on the command line: files as given, directories searched recursively.</summary>
internal static class InputFiles
{
    // A directory the user cannot read is skipped rather than ending the whole command.
    private static readonly EnumerationOptions SearchOptions = new() { RecurseSubdirectories = true, IgnoreInaccessible = true };

    /// <summary>Policy and configuration files: <c>*.json</c> except policy tests.</summary>
    public static IReadOnlyList<string> Documents(IEnumerable<string> paths) =>
        Expand(paths, name => name.EndsWith(".json", StringComparison.Ordinal) && !name.EndsWith(".test.json", StringComparison.Ordinal));

    /// <summary>Policy test files: <c>*.test.json</c>.</summary>
    public static IReadOnlyList<string> Tests(IEnumerable<string> paths) =>
        Expand(paths, name => name.EndsWith(".test.json", StringComparison.Ordinal));

    private static List<string> Expand(IEnumerable<string> paths, Func<string, bool> wanted)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOptions)
                    .Where(f => wanted(Path.GetFileName(f)))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                // A missing file is kept: the command reports it as unreadable rather than skipping it.
                files.Add(path);
            }
        }

        return files;
    }
}
