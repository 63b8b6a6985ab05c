using System.Collections.Concurrent;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// The work a session started and still owns (requests being handled, refreshes): a failure is reported
/// rather than lost, and disposal waits for all of it.
/// </summary>
internal sealed class SessionWork
{
    private readonly ConcurrentDictionary<Task, byte> _running = SessionMaps.Create<Task, byte>();
    private readonly Action<Exception> _failed;

    /// <param name="failed">Told of each task that failed, with its first error.</param>
    public SessionWork(Action<Exception> failed) => _failed = failed;

    /// <summary>Tasks still running.</summary>
    public IEnumerable<Task> Running => _running.Keys;

    public void Track(Task task)
    {
        _running[task] = 0;
        _ = task.ContinueWith(
            t =>
            {
                _running.TryRemove(t, out _);
                if (t.Exception is { } failure)
                {
                    _failed(failure.GetBaseException());
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
