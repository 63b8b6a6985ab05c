using System.Collections.Concurrent;
using McpWarden.Gateway.Approvals;
using McpWarden.Storage.Sqlite.Database;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Approvals;

/// <summary>
/// Approvals in the store's file. Every transition is one conditional <c>UPDATE</c> (from pending, before
/// the expiry; from approved, with the exact binding) run by the writer, so that of two processes racing
/// to decide or use one approval exactly one changes the row. A wait sees decisions taken in this process
/// at once, and those of other processes sharing the file by rereading the row.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue of held calls; the architecture names the port so.")]
public sealed class SqliteApprovalQueue : IApprovalQueue
{
    private const string Gateway = "gateway";
    private const string TimedOutReason = "no one decided before the approval expired";
    private const string OrphanReason = "the gateway holding the call stopped";

    private const string SelectColumns =
        "id, grant, server, tool, arguments_sha256, policy_revision, session, arguments, rule_path, message, owner, created_at, expires_at, state, decided_at, decided_by, reason";

    private const string Insert = """
        INSERT INTO approvals (id, grant, server, tool, arguments_sha256, policy_revision, session, arguments, rule_path, message, owner, created_at, expires_at, state)
        VALUES ($id, $grant, $server, $tool, $arguments_sha256, $policy_revision, $session, $arguments, $rule_path, $message, $owner, $created_at, $expires_at, 'pending')
        """;

    private const string Settle = """
        UPDATE approvals SET state = $state, decided_at = $now, decided_by = $by, reason = $reason
        WHERE id = $id AND state = 'pending' AND expires_at > $now
        """;

    private const string Expire = """
        UPDATE approvals SET state = 'timed_out', decided_at = $now, decided_by = 'gateway', reason = $reason
        WHERE id = $id AND state = 'pending' AND expires_at <= $now
        """;

    private const string ExpireAll = """
        UPDATE approvals SET state = 'timed_out', decided_at = $now, decided_by = 'gateway', reason = $reason
        WHERE state = 'pending' AND expires_at <= $now
        RETURNING id
        """;

    private const string AbandonOwner = """
        UPDATE approvals SET state = 'abandoned', decided_at = $now, decided_by = 'gateway', reason = $reason
        WHERE owner = $owner AND state = 'pending' AND expires_at > $now
        RETURNING id
        """;

    private const string Use = """
        UPDATE approvals SET state = 'used'
        WHERE id = $id AND state = 'approved' AND grant = $grant AND server = $server AND tool = $tool
          AND arguments_sha256 = $arguments_sha256 AND policy_revision = $policy_revision
        """;

    private readonly WriteQueue _writes;
    private readonly ReaderPool _readers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;

    /// <summary>Waits of this process, by approval id: completed when this process settles the approval.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _settled = new(StringComparer.Ordinal);

    internal SqliteApprovalQueue(WriteQueue writes, ReaderPool readers, TimeProvider time, TimeSpan pollInterval) =>
        (_writes, _readers, _time, _pollInterval) = (writes, readers, time, pollInterval > TimeSpan.Zero ? pollInterval : TimeSpan.FromMilliseconds(250));

    public async ValueTask<Approval> SubmitAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var approval = Approval.Submitted(request, now);
        await _writes.Enqueue(connection =>
        {
            var command = connection.Command(Insert);
            command.Bind("$id", approval.Id);
            BindBinding(command, approval.Binding);
            command.Bind("$session", approval.Session);
            command.Bind("$arguments", approval.Arguments);
            command.Bind("$rule_path", approval.RulePath);
            command.Bind("$message", approval.Message);
            command.Bind("$owner", approval.Owner);
            command.Bind("$created_at", Columns.Ticks(approval.CreatedAt));
            command.Bind("$expires_at", Columns.Ticks(approval.ExpiresAt));
            return command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
        return approval;
    }

    public async ValueTask<Approval?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var approval = Read(id);
        if (approval is { State: ApprovalState.Pending } && _time.GetUtcNow() >= approval.ExpiresAt)
        {
            return await TimeOutAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return approval;
    }

    public async ValueTask<IReadOnlyList<Approval>> ListAsync(ApprovalState state, CancellationToken cancellationToken = default)
    {
        var text = ApprovalStateNames.Text(state);
        var now = Columns.Ticks(_time.GetUtcNow());
        var anyExpired = _readers.Read(connection =>
        {
            var command = connection.Command("SELECT EXISTS (SELECT 1 FROM approvals WHERE state = 'pending' AND expires_at <= $now)");
            command.Bind("$now", now);
            return (long)command.ExecuteScalar()! == 1;
        });
        if (anyExpired)
        {
            var expired = await _writes.Enqueue(connection => Settled(connection, ExpireAll, now, TimedOutReason, owner: null), cancellationToken).ConfigureAwait(false);
            Signal(expired);
        }

        return _readers.Read(connection =>
        {
            var command = connection.Command($"SELECT {SelectColumns} FROM approvals WHERE state = $state ORDER BY created_at, rowid");
            command.Bind("$state", text);
            var found = new List<Approval>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                found.Add(ReadApproval(reader));
            }

            return found;
        });
    }

    public async ValueTask<ApprovalDecisionResult> DecideAsync(string id, bool approve, string? reason, string decidedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(decidedBy);
        var result = await _writes.Enqueue(connection =>
        {
            var now = Columns.Ticks(_time.GetUtcNow());
            if (Transition(connection, id, approve ? ApprovalState.Approved : ApprovalState.Denied, now, decidedBy, reason))
            {
                return ApprovalDecisionResult.Decided;
            }

            // Not changed: say why, and time it out if that is what stood in the way.
            return TimeOutIfExpired(connection, id, now) is null ? ApprovalDecisionResult.NotFound : ApprovalDecisionResult.NotPending;
        }, cancellationToken).ConfigureAwait(false);
        if (result == ApprovalDecisionResult.Decided || result == ApprovalDecisionResult.NotPending)
        {
            Signal(id);
        }

        return result;
    }

    public async ValueTask<Approval> WaitAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        // Registered before the first read: a decision of this process after that read completes it.
        var settled = _settled.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        using var timers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var approval = Read(id) ?? throw new KeyNotFoundException($"no approval has the id {id}");
            // Both timers exist before the first await, so a clock moved right after this call returns fires them.
            var expiry = Delay(approval.ExpiresAt, timers.Token);
            var poll = Task.Delay(_pollInterval, _time, timers.Token);
            while (approval.State == ApprovalState.Pending)
            {
                if (_time.GetUtcNow() >= approval.ExpiresAt)
                {
                    return await TimeOutAsync(id, cancellationToken).ConfigureAwait(false) ?? approval;
                }

                await Task.WhenAny(settled.Task, expiry, poll).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (poll.IsCompleted)
                {
                    poll = Task.Delay(_pollInterval, _time, timers.Token);
                }

                if (expiry.IsCompleted)
                {
                    // A real clock may fire a timer a hair early; wait out the rest rather than spin.
                    expiry = Delay(approval.ExpiresAt, timers.Token);
                }

                if (settled.Task.IsCompleted)
                {
                    settled = _settled.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                }

                approval = Read(id) ?? throw new KeyNotFoundException($"no approval has the id {id}");
            }

            return approval;
        }
        finally
        {
            // Stops the timers; the signal is left for another wait on the same id, or dropped if none.
            await timers.CancelAsync().ConfigureAwait(false);
            if (!settled.Task.IsCompleted)
            {
                _settled.TryRemove(new KeyValuePair<string, TaskCompletionSource>(id, settled));
            }
        }
    }

    public async ValueTask<bool> TryUseAsync(string id, ApprovalBinding binding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await _writes.Enqueue(connection =>
        {
            var command = connection.Command(Use);
            command.Bind("$id", id);
            BindBinding(command, binding);
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var abandoned = await _writes.Enqueue(connection =>
        {
            var now = Columns.Ticks(_time.GetUtcNow());
            if (Transition(connection, id, ApprovalState.Abandoned, now, Gateway, reason))
            {
                return true;
            }

            TimeOutIfExpired(connection, id, now);
            return false;
        }, cancellationToken).ConfigureAwait(false);
        Signal(id);
        return abandoned;
    }

    public async ValueTask<int> AbandonOrphansAsync(Func<string, bool> ownerIsAlive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ownerIsAlive);
        // Owners are judged outside the write lock (a process lookup each); the update rechecks each row is still pending.
        var owners = _readers.Read(connection =>
        {
            var command = connection.Command("SELECT DISTINCT owner FROM approvals WHERE state = 'pending'");
            var found = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                found.Add(reader.GetString(0));
            }

            return found;
        });
        var dead = owners.Where(owner => !ownerIsAlive(owner)).ToList();
        var now = Columns.Ticks(_time.GetUtcNow());
        var changed = await _writes.Enqueue(connection =>
        {
            // Past its expiry an approval times out, as everywhere else, rather than counting as abandoned.
            var ids = Settled(connection, ExpireAll, now, TimedOutReason, owner: null);
            var abandoned = 0;
            foreach (var owner in dead)
            {
                var orphans = Settled(connection, AbandonOwner, now, OrphanReason, owner);
                abandoned += orphans.Count;
                ids.AddRange(orphans);
            }

            return (ids, abandoned);
        }, cancellationToken).ConfigureAwait(false);
        Signal(changed.ids);
        return changed.abandoned;
    }

    private async ValueTask<Approval?> TimeOutAsync(string id, CancellationToken cancellationToken)
    {
        var approval = await _writes.Enqueue(connection => TimeOutIfExpired(connection, id, Columns.Ticks(_time.GetUtcNow())), cancellationToken).ConfigureAwait(false);
        Signal(id);
        return approval;
    }

    /// <summary>Settles a pending approval whose expiry has not passed; false when the row did not qualify.</summary>
    private static bool Transition(StoreConnection connection, string id, ApprovalState state, long now, string decidedBy, string? reason)
    {
        var command = connection.Command(Settle);
        command.Bind("$id", id);
        command.Bind("$state", ApprovalStateNames.Text(state));
        command.Bind("$now", now);
        command.Bind("$by", decidedBy);
        command.Bind("$reason", reason);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Times the approval out if it is pending past its expiry; returns it as it now stands (null if absent).</summary>
    private static Approval? TimeOutIfExpired(StoreConnection connection, string id, long now)
    {
        var command = connection.Command(Expire);
        command.Bind("$id", id);
        command.Bind("$now", now);
        command.Bind("$reason", TimedOutReason);
        command.ExecuteNonQuery();
        return Select(connection, id);
    }

    /// <summary>Runs an <c>UPDATE … RETURNING id</c>, returning the ids it changed.</summary>
    private static List<string> Settled(StoreConnection connection, string sql, long now, string reason, string? owner)
    {
        var command = connection.Command(sql);
        command.Bind("$now", now);
        command.Bind("$reason", reason);
        if (owner is not null)
        {
            command.Bind("$owner", owner);
        }

        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private Task Delay(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var remaining = until - _time.GetUtcNow();
        return remaining > TimeSpan.Zero ? Task.Delay(remaining, _time, cancellationToken) : Task.CompletedTask;
    }

    private Approval? Read(string id) => _readers.Read(connection => Select(connection, id));

    private static Approval? Select(StoreConnection connection, string id)
    {
        var command = connection.Command($"SELECT {SelectColumns} FROM approvals WHERE id = $id");
        command.Bind("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadApproval(reader) : null;
    }

    private static void BindBinding(SqliteCommand command, ApprovalBinding binding)
    {
        command.Bind("$grant", binding.Grant);
        command.Bind("$server", binding.Server);
        command.Bind("$tool", binding.Tool);
        command.Bind("$arguments_sha256", binding.ArgumentsSha256);
        command.Bind("$policy_revision", binding.PolicyRevision);
    }

    private static Approval ReadApproval(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Binding = new ApprovalBinding(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)),
        Session = reader.GetString(6),
        Arguments = reader.GetString(7),
        RulePath = reader.GetString(8),
        Message = reader.GetString(9),
        Owner = reader.GetString(10),
        CreatedAt = Columns.Instant(reader.GetInt64(11)),
        ExpiresAt = Columns.Instant(reader.GetInt64(12)),
        State = ReadState(reader.GetString(13)),
        DecidedAt = Columns.Instant(reader, 14),
        DecidedBy = Columns.Text(reader, 15),
        Reason = Columns.Text(reader, 16),
    };

    private static ApprovalState ReadState(string text) =>
        ApprovalStateNames.TryParse(text, out var state) ? state : throw new InvalidDataException($"the store holds an approval in an unknown state '{text}'");

    private void Signal(string id)
    {
        if (_settled.TryRemove(id, out var settled))
        {
            settled.TrySetResult();
        }
    }

    private void Signal(List<string> ids)
    {
        foreach (var id in ids)
        {
            Signal(id);
        }
    }
}
