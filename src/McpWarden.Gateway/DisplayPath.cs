namespace McpWarden.Gateway;

/// <summary>How file names appear in diagnostics: relative to the working directory when beneath it, as a user typed them.</summary>
public static class DisplayPath
{
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) ? full : relative;
    }
}
