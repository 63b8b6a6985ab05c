using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Time;
using McpWarden.Reload;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace McpWarden.Tests.Reload;

/// <summary>When the watcher reloads, on a fake clock and without file events (the real process is tested in HotReloadTests).</summary>
public sealed class ConfigurationWatcherTests : IAsyncDisposable
{
    private const string AllowOk = """{"version":"1","default":"deny","tools":{"ok":{}}}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-watch-").FullName;
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly List<ConfigurationChange> _applied = [];
    private readonly LiveConfiguration _live;
    private readonly ConfigurationWatcher _watcher;

    public ConfigurationWatcherTests()
    {
        File.WriteAllText(Path.Combine(_directory, "a.json"), AllowOk);
        WriteConfiguration("a.json");
        var loaded = ConfigurationLoader.LoadFile(ConfigurationPath, _ => null);
        _live = new LiveConfiguration(loaded, _clock);
        _watcher = new ConfigurationWatcher(ConfigurationPath, _live, l => l, change =>
        {
            lock (_applied)
            {
                _applied.Add(change);
            }

            return Task.CompletedTask;
        }, _ => null, _clock, NullLogger.Instance);
        _watcher.Start(loaded.Files, useFileEvents: false, listenForHangup: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _watcher.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string ConfigurationPath => Path.Combine(_directory, "mcpwarden.json");

    private void WriteConfiguration(string policyFile) =>
        File.WriteAllText(ConfigurationPath, $$"""{ "mcpServers": { "a": { "command": "x", "policy": "{{policyFile}}" } } }""");

    [Fact]
    public async Task CheckAsync_NothingChanged_LoadsNothing()
    {
        File.SetLastWriteTimeUtc(ConfigurationPath, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Null(await _watcher.CheckAsync(force: false));
        Assert.Equal(1, _live.Status.Revision);
    }

    [Fact]
    public async Task CheckAsync_Forced_LoadsEvenWhenNothingChanged()
    {
        var change = await _watcher.CheckAsync(force: true);

        Assert.NotNull(change);
        Assert.True(change.Accepted);
        Assert.False(change.ChangedAnything);
        Assert.Equal(2, _live.Status.Revision);
    }

    [Fact]
    public async Task CheckAsync_APolicyFileNamedBeforeItExists_IsLoadedWhenItAppears()
    {
        WriteConfiguration("b.json");
        var refused = await _watcher.CheckAsync(force: false);
        Assert.False(refused!.Accepted);
        Assert.True(_live.Status.Refused);

        File.WriteAllText(Path.Combine(_directory, "b.json"), """{"version":"1","default":"allow"}""");
        var accepted = await _watcher.CheckAsync(force: false);

        Assert.True(accepted!.Accepted);
        Assert.Equal(["a"], accepted.Updated);
        Assert.Equal(Path.Combine(_directory, "b.json"), _live.Server("a")!.PolicySource);
        Assert.Equal(2, _applied.Count);
    }

    [Fact]
    public async Task PeriodicCheck_AnEditedPolicy_IsReloadedWithinOneInterval()
    {
        File.WriteAllText(Path.Combine(_directory, "a.json"), """{"version":"1","default":"allow"}""");

        _clock.Advance(ConfigurationWatcher.PollInterval);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (_live.Status.Revision != 2)
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.Equal(["a"], _applied.Single().Updated);
    }

    [Fact]
    public async Task FileEvents_WritesToASiblingFile_DoNotReachTheWatcher_AReplacedConfigurationDoes()
    {
        var loaded = ConfigurationLoader.LoadFile(ConfigurationPath, _ => null);
        await using var watcher = new ConfigurationWatcher(ConfigurationPath, _live, l => l, _ => Task.CompletedTask, _ => null, _clock, NullLogger.Instance);
        watcher.Start(loaded.Files, useFileEvents: true, listenForHangup: false);

        // What a SQLite store beside the configuration does on every commit: writes its WAL in place; and a journal that comes and goes.
        var wal = Path.Combine(_directory, "mcpwarden.db-wal");
        await using (var stream = new FileStream(wal, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            for (var i = 0; i < 50; i++)
            {
                stream.Write(new byte[4096]);
                stream.Flush(flushToDisk: false);
            }
        }

        File.WriteAllText(Path.Combine(_directory, "mcpwarden.db-journal"), "x");
        File.Delete(Path.Combine(_directory, "mcpwarden.db-journal"));

        // The kernel reports events of one directory in order: once the configuration's replacement is seen, the writes before it were too.
        var temporary = ConfigurationPath + ".new";
        File.Copy(ConfigurationPath, temporary);
        File.Move(temporary, ConfigurationPath, overwrite: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (watcher.WatchedEventsSeen == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.Equal(0, watcher.StrayEventsSeen);
    }
}
