using System.Diagnostics;
using System.Globalization;

namespace McpWarden.BenchKit;

/// <summary>
/// A built .NET program started as <c>dotnet DLL ARGS</c> that prints one <c>listening on URL</c> line when it is
/// ready (both mcpwarden and the fixture do). Its standard error goes to a log file, so a long run neither fills
/// a pipe nor holds the log in memory.
/// </summary>
public sealed class ListeningProcess : IAsyncDisposable
{
    private const string Ready = "listening on ";

    private readonly Process _process;
    private readonly StreamWriter _log;
    private int _disposed;

    private ListeningProcess(Process process, StreamWriter log, Uri url)
    {
        _process = process;
        _log = log;
        Url = url;
    }

    public Uri Url { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when the process exits, for whatever reason.</summary>
    public Task Exited => _process.WaitForExitAsync(CancellationToken.None);

    public static async Task<ListeningProcess> StartAsync(string dll, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {dll} did not start");
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                // A line can arrive after the log was closed, while the process is being disposed.
                if (e.Data is not null && log.BaseStream is not null)
                {
                    log.WriteLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith(Ready, StringComparison.Ordinal))
                {
                    // Later lines (none are expected) are drained so the pipe never blocks the process.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    return new ListeningProcess(process, log, new Uri(line[Ready.Length..]));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below.
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        process.Dispose();
        await log.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"dotnet {Path.GetFileName(dll)} did not print \"{Ready}URL\" within 60 s; its log: {logPath}\n{Tail(logPath, 30)}");
    }

    /// <summary>SIGTERM, as a service manager stops it; returns the exit code, or null if it did not stop within 30 s.</summary>
    public async Task<int?> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL, as a crash would end it: nothing runs on the way out.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The last lines of a log file, for a failure message.</summary>
    public static string Tail(string path, int lines) =>
        File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
