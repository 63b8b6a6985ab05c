namespace McpWarden.Admin;

/// <summary>
/// Replaces a file's content so that a reader (the gateway's own reload, an editor, a backup) sees the old bytes or
/// the new ones, never a half-written file: the new content goes to a temporary file in the same directory, is
/// flushed to disk, and is renamed over the old one. The file keeps its permissions.
/// </summary>
internal static class AtomicFile
{
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new IOException($"{path} has no directory");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows() && File.Exists(path))
            {
                // A policy file readable only by its owner must not become world-readable by being saved.
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
