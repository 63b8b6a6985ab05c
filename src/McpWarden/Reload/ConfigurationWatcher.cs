using System.Runtime.InteropServices;
using System.Security.Cryptography;
using McpWarden.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace McpWarden.Reload;

/// <summary>
/// Reloads the configuration when it or one of the policy files it names changes. File system events, debounced,
/// make a reload prompt; a periodic comparison of the files' content hashes catches what events miss (editors
/// that save by renaming a new file over the old one, network file systems); SIGHUP reloads unconditionally.
/// Every reload loads and validates the whole configuration and hands it to the live configuration, which swaps it
/// in or refuses it; what happened is logged, then given to the host to act on.
/// </summary>
internal sealed class ConfigurationWatcher : IAsyncDisposable
{
    /// <summary>How long the files must be quiet after an event before they are read: an editor's save is several events.</summary>
    public static TimeSpan Debounce { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the files' contents are compared with what was last loaded, whatever the events say.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly LiveConfiguration _live;
    private readonly Func<ConfigurationLoadResult, ConfigurationLoadResult> _screen;
    private readonly Func<ConfigurationChange, Task> _applied;
    private readonly Func<string, string?> _environment;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _checking = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _watchersGate = new();
    private List<FileSystemWatcher> _watchers = [];

    // INVARIANT: read and written only while holding _checking.
    private Dictionary<string, string> _stamps = new(StringComparer.Ordinal);
    private volatile HashSet<string> _watched = new(StringComparer.Ordinal);
    private ITimer? _debounce;
    private ITimer? _poll;
    private PosixSignalRegistration? _hangup;
    private bool _useFileEvents;
    private long _watchedEventsSeen;
    private long _strayEventsSeen;

    /// <param name="path">The configuration file, as the gateway was started with it.</param>
    /// <param name="screen">Host-specific checks a loaded configuration must also pass (it returns the load refused, or as it was).</param>
    /// <param name="applied">What the host does after each load, accepted or refused (closing sessions of removed servers, say).</param>
    public ConfigurationWatcher(
        string path,
        LiveConfiguration live,
        Func<ConfigurationLoadResult, ConfigurationLoadResult> screen,
        Func<ConfigurationChange, Task> applied,
        Func<string, string?> environment,
        TimeProvider time,
        ILogger logger)
    {
        _path = path;
        _live = live;
        _screen = screen;
        _applied = applied;
        _environment = environment;
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts watching the files the first load read; the first check compares against their contents now.</summary>
    /// <param name="useFileEvents">False leaves only the periodic check (and explicit calls to <see cref="CheckAsync"/>).</param>
    public void Start(IReadOnlyList<string> files, bool useFileEvents = true, bool listenForHangup = true)
    {
        ArgumentNullException.ThrowIfNull(files);
        _stamps = Stamp(files);
        _debounce = _time.CreateTimer(_ => Fire(force: false), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _useFileEvents = useFileEvents;
        if (useFileEvents)
        {
            Watch(files);
        }

        _poll = _time.CreateTimer(_ => Fire(force: false), null, PollInterval, PollInterval);
        if (listenForHangup && !OperatingSystem.IsWindows() && !OperatingSystem.IsBrowser() && !OperatingSystem.IsIOS() && !OperatingSystem.IsTvOS() && !OperatingSystem.IsAndroid())
        {
            if (HangupDisposition.UndoInheritedIgnore())
            {
                ReloadLog.HangupWasIgnored(_logger);
            }

            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                // A hang-up asks for a reload; it must not end the gateway.
                context.Cancel = true;
                ReloadLog.Hangup(_logger);
                Fire(force: true);
            });
        }
    }

    /// <summary>
    /// Loads the configuration again when a watched file's content changed since the last load (always, when
    /// <paramref name="force"/>), and applies it. Null when nothing was loaded.
    /// </summary>
    public async Task<ConfigurationChange?> CheckAsync(bool force) => (await CheckWithOutcomeAsync(force).ConfigureAwait(false)).Change;

    /// <summary>
    /// Loads the configuration now, whatever the files' hashes say, and applies it: for a caller that has just
    /// written a file and must know what became of it (the admin API's policy save) rather than wait for the
    /// debounce. It runs after any check under way, so it reads what that caller wrote.
    /// </summary>
    public Task<ReloadOutcome> ReloadNowAsync() => CheckWithOutcomeAsync(force: true);

    private async Task<ReloadOutcome> CheckWithOutcomeAsync(bool force)
    {
        try
        {
            await _checking.WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return new ReloadOutcome(null, "the gateway is stopping");
        }

        try
        {
            // Hashed before loading: a write that lands during the load differs from these, and is loaded next time.
            var before = Stamp(_stamps.Keys);
            if (!force && Same(before, _stamps))
            {
                return new ReloadOutcome(null, null);
            }

            var loaded = _screen(ConfigurationLoader.LoadFile(_path, _environment));
            var stamps = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in loaded.Files.Append(Path.GetFullPath(_path)))
            {
                stamps[file] = before.TryGetValue(file, out var stamp) ? stamp : StampOf(file);
            }

            if (!stamps.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(_stamps.Keys) && _useFileEvents)
            {
                // A policy file named for the first time (or no longer) is watched from now on (or not).
                Watch([.. stamps.Keys]);
            }

            _stamps = stamps;
            var change = _live.Apply(loaded);
            Log(change);
            await _applied(change).ConfigureAwait(false);
            return new ReloadOutcome(change, null);
        }
#pragma warning disable CA1031 // A reload that fails in any way leaves the configuration in force; the next change tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ReloadLog.Failed(_logger, e.Message);
            return new ReloadOutcome(null, e.Message);
        }
        finally
        {
            _checking.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _hangup?.Dispose();
        if (_poll is not null)
        {
            await _poll.DisposeAsync().ConfigureAwait(false);
        }

        if (_debounce is not null)
        {
            await _debounce.DisposeAsync().ConfigureAwait(false);
        }

        lock (_watchersGate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Dispose();
            }

            _watchers = [];
        }

        // A check under way finishes before the host it reports to goes away.
        await _checking.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        _checking.Release();
    }

    private void Fire(bool force)
    {
        if (!_stopping.IsCancellationRequested)
        {
            _ = CheckAsync(force);
        }
    }

    /// <summary>An event on a watched file: the check waits until the files have been quiet for <see cref="Debounce"/>.</summary>
    private void Poke()
    {
        try
        {
            _debounce?.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Stopping: nothing more is checked.
        }
    }

    /// <summary>
    /// Watches the directories of <paramref name="files"/> (an editor may replace a file, so its directory is what is
    /// watched) for names appearing, going and being renamed over, and for attribute changes (<c>touch</c>), of those
    /// files only. Content writes are not watched: the kernel reports them for every file of a directory, and the
    /// SQLite store beside a configuration writes its WAL on every admitted call, which woke this watcher's thread
    /// each time. A file written in place (not replaced) is noticed by the periodic check, within <see cref="PollInterval"/>.
    /// </summary>
    private void Watch(IReadOnlyCollection<string> files)
    {
        _watched = files.ToHashSet(StringComparer.Ordinal);
        var watchers = new List<FileSystemWatcher>();
        foreach (var directory in files.GroupBy(Path.GetDirectoryName).Where(g => g.Key is not null && Directory.Exists(g.Key)))
        {
            var watcher = new FileSystemWatcher(directory.Key!)
            {
                // INVARIANT: no LastWrite or Size: those are IN_MODIFY, raised by every write to any file in the directory.
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.Attributes | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            foreach (var name in directory.Select(Path.GetFileName).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                watcher.Filters.Add(name);
            }

            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.Renamed += OnEvent;
            watcher.Error += (_, _) => Poke();
            try
            {
                watcher.EnableRaisingEvents = true;
                watchers.Add(watcher);
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // Out of watches, say: the periodic check still sees every change, only later.
                ReloadLog.Failed(_logger, $"cannot watch {directory} ({e.Message}); changes there are noticed within {PollInterval.TotalSeconds} s");
                watcher.Dispose();
            }
        }

        lock (_watchersGate)
        {
            foreach (var old in _watchers)
            {
                old.Dispose();
            }

            if (_stopping.IsCancellationRequested)
            {
                watchers.ForEach(w => w.Dispose());
                watchers = [];
            }

            _watchers = watchers;
        }
    }

    /// <summary>File events on a watched file that reached this watcher.</summary>
    internal long WatchedEventsSeen => Interlocked.Read(ref _watchedEventsSeen);

    /// <summary>File events on other files of a watched directory that reached this watcher (a store's WAL beside the configuration, say).</summary>
    internal long StrayEventsSeen => Interlocked.Read(ref _strayEventsSeen);

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        var watched = _watched;
        if (watched.Contains(e.FullPath) || (e is RenamedEventArgs renamed && watched.Contains(renamed.OldFullPath)))
        {
            Interlocked.Increment(ref _watchedEventsSeen);
            Poke();
        }
        else
        {
            Interlocked.Increment(ref _strayEventsSeen);
        }
    }

    private void Log(ConfigurationChange change)
    {
        if (!change.Accepted)
        {
            ReloadLog.Refused(_logger, change.Diagnostics.Count(d => d.IsError), change.Revision);
        }

        foreach (var diagnostic in change.Diagnostics)
        {
            ReloadLog.Diagnostic(_logger, diagnostic.Code, diagnostic.ToString());
        }

        if (!change.Accepted)
        {
            return;
        }

        var (added, removed, replaced, updated) = (Names(change.Added), Names(change.Removed), Names(change.Replaced), Names(change.Updated));
        ReloadLog.Reloaded(_logger, change.Revision, added, removed, replaced, updated, change.GrantsChanged);
        if (change.NotApplied.Count > 0)
        {
            ReloadLog.NotApplied(_logger, string.Join(", ", change.NotApplied));
        }
    }

    private static string Names(IReadOnlyList<string> names) => string.Join(", ", names);

    private static Dictionary<string, string> Stamp(IEnumerable<string> files) =>
        files.Distinct(StringComparer.Ordinal).ToDictionary(f => f, StampOf, StringComparer.Ordinal);

    /// <summary>The SHA-256 of a file's content; empty when it cannot be read (missing, or being replaced).</summary>
    private static string StampOf(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static bool Same(Dictionary<string, string> left, Dictionary<string, string> right) =>
        left.Count == right.Count && left.All(pair => right.TryGetValue(pair.Key, out var stamp) && stamp == pair.Value);
}

/// <summary>What one reload did: the change it applied or refused, or why it could not run at all.</summary>
/// <param name="Change">The load, accepted or refused; null when nothing was loaded.</param>
/// <param name="Failure">Why the reload could not run (the gateway is stopping, a file could not be read); null otherwise.</param>
internal sealed record ReloadOutcome(ConfigurationChange? Change, string? Failure);
