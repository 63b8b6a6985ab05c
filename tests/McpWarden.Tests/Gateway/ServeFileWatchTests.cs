using System.Globalization;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// What <c>mcpwarden serve</c> asks the kernel to watch. Its store sits beside its configuration by default, and the
/// gateway is often started in that directory: a watch on it that reports content writes, or on every directory
/// under the working directory, wakes a thread with each write to the store's WAL (several per admitted call).
/// </summary>
public sealed class ServeFileWatchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-watch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Serve_StartedInItsConfigurationDirectory_WatchesThatDirectoryAloneAndNoContentWrites()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("reads the gateway's inotify watches from /proc, which only Linux has");
        }

        var subdirectories = new[] { "data", Path.Combine("data", "deep"), "logs" }.Select(name => Directory.CreateDirectory(Path.Combine(_directory, name)).FullName).ToList();
        var configuration = EndToEnd.ConfigurationFor(_directory, """{ "version": "1", "default": "allow" }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(configuration, workingDirectory: _directory);

        var own = await InodeAsync(_directory);
        var watches = await WatchesOnceAsync(gateway.ProcessId, own);

        // The configuration's own watcher is found (so the reading works), and watches names and attributes only:
        // IN_MODIFY (0x2) is what every write to the store's files would raise.
        foreach (var subdirectory in subdirectories)
        {
            var inode = await InodeAsync(subdirectory);
            Assert.DoesNotContain(watches, w => w.Inode == inode);
        }

        var configurationWatch = Assert.Single(watches);
        Assert.Equal(own, configurationWatch.Inode);
        Assert.True((configurationWatch.Mask & 0x2) == 0, $"the configuration's directory is watched for content writes (mask {configurationWatch.Mask:x})");
    }

    private sealed record Watch(ulong Inode, uint Mask);

    /// <summary>Every inotify watch of the process, once the one on <paramref name="expected"/> is there (the watchers start beside the listener).</summary>
    private static async Task<List<Watch>> WatchesOnceAsync(int processId, ulong expected)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var watches = Watches(processId);
            if (watches.Any(w => w.Inode == expected) || waited.Elapsed > TimeSpan.FromSeconds(15))
            {
                return watches;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Reads <c>/proc/PID/fdinfo</c>: each inotify watch is a line <c>inotify wd:1 ino:2a sdev:... mask:3c6 ...</c>.</summary>
    private static List<Watch> Watches(int processId)
    {
        var watches = new List<Watch>();
        foreach (var file in Directory.EnumerateFiles($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/fdinfo"))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (IOException)
            {
                continue; // the descriptor closed meanwhile
            }

            foreach (var line in lines.Where(l => l.StartsWith("inotify wd:", StringComparison.Ordinal)))
            {
                var fields = line.Split(' ').Select(f => f.Split(':', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
                watches.Add(new Watch(ulong.Parse(fields["ino"], NumberStyles.HexNumber, CultureInfo.InvariantCulture), uint.Parse(fields["mask"], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }

        return watches;
    }

    private static async Task<ulong> InodeAsync(string path)
    {
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%i", path], Path.GetTempPath());
        Assert.Equal(0, stat.ExitCode);
        return ulong.Parse(stat.Output.Trim(), CultureInfo.InvariantCulture);
    }
}
