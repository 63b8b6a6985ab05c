using System.Collections.Concurrent;
using System.Globalization;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Storage;
using StackExchange.Redis;

namespace McpWarden.Storage.Redis.Approvals;

/// <summary>
/// Approvals that replicas share through Redis: a call held on one replica can be decided through any replica's
/// API, and the holding replica releases it. Each approval is a hash; every transition is one Lua script
/// (<see cref="ApprovalScripts"/>), so it is decided at most once, only while pending and before its expiry (the
/// gateway's clock, passed to the script), and used at most once with its exact binding. Each transition is
/// published; a wait also rereads the approval every <see cref="RedisStoreOptions.ApprovalPollInterval"/>, since a
/// notification sent while a replica was reconnecting is lost. Settled approvals expire from Redis after
/// <see cref="RedisStoreOptions.ApprovalRetention"/>. See <c>docs/storage.md</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It implements the approval queue port.")]
public sealed class RedisApprovalQueue : IApprovalQueue
{
    private const string Gateway = "gateway";
    private const string TimedOutReason = "no one decided before the approval expired";
    private const string OrphanReason = "the gateway holding the call stopped";

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly long _retentionMilliseconds;
    private readonly RedisChannel _channel;
    private readonly RedisKey _pending;
    private readonly RedisKey _sequence;
    private readonly Action<RedisChannel, RedisValue> _onNotification;

    /// <summary>Waits of this process, by approval id: completed by a notification or by a transition of this process.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _settled = new(StringComparer.Ordinal);

    /// <summary>
    /// The expiry of each approval submitted here and not yet waited for: a wait that cannot read its approval
    /// (Redis went down right after the submit) still knows how long to keep trying.
    /// </summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _submitted = new(StringComparer.Ordinal);

    /// <summary>0: not subscribed; 1: subscribing; 2: subscribed.</summary>
    private int _subscription;

    internal RedisApprovalQueue(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        var options = connection.Options;
        _pollInterval = options.ApprovalPollInterval > TimeSpan.Zero ? options.ApprovalPollInterval : TimeSpan.FromMilliseconds(500);
        _retentionMilliseconds = Math.Max(1, (long)options.ApprovalRetention.TotalMilliseconds);
        _channel = new RedisChannel(options.KeyPrefix + "approvals:settled", RedisChannel.PatternMode.Literal);
        _pending = IndexKey(ApprovalState.Pending);
        _sequence = connection.Key("approvals:seq");
        _onNotification = (_, id) => Signal(id.ToString());
    }

    public async ValueTask<Approval> SubmitAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var approval = Approval.Submitted(request, now);

        // A pending approval no replica ever looks at again (all of them stopped) still leaves Redis: its key
        // lives for the timeout plus the retention, as if it had timed out on time.
        var lifetime = (long)Math.Min(request.Timeout.TotalMilliseconds + _retentionMilliseconds, long.MaxValue / 4);
        RedisValue[] arguments =
        [
            approval.Id, Math.Max(1, lifetime),
            "id", approval.Id,
            "grant", approval.Binding.Grant,
            "server", approval.Binding.Server,
            "tool", approval.Binding.Tool,
            "arguments_sha256", approval.Binding.ArgumentsSha256,
            "policy_revision", approval.Binding.PolicyRevision,
            "session", approval.Session,
            "arguments", approval.Arguments,
            "rule_path", approval.RulePath,
            "message", approval.Message,
            "owner", approval.Owner,
            "created_at", Ticks(approval.CreatedAt),
            "expires_at", Ticks(approval.ExpiresAt),
            "state", ApprovalStateNames.Text(ApprovalState.Pending),
        ];
        await _connection.RunAsync(db => ApprovalScripts.Submit.EvaluateAsync(db, [ApprovalKey(approval.Id), _pending, _sequence], arguments)).ConfigureAwait(false);
        Remember(approval);
        return approval;
    }

    public async ValueTask<Approval?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        var approval = await ReadAsync(id).ConfigureAwait(false);
        if (approval is { State: ApprovalState.Pending } && _time.GetUtcNow() >= approval.ExpiresAt)
        {
            return await TimeOutAsync(id).ConfigureAwait(false);
        }

        return approval;
    }

    public async ValueTask<IReadOnlyList<Approval>> ListAsync(ApprovalState state, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var index = IndexKey(state);
        await TimeOutExpiredAsync().ConfigureAwait(false);
        var ids = await _connection.RunAsync(db => db.SortedSetRangeByRankAsync(index)).ConfigureAwait(false);
        var entries = await _connection.RunAsync(async db =>
        {
            var reads = ids.Select(id => db.HashGetAllAsync(ApprovalKey(id.ToString()))).ToList();
            return await Task.WhenAll(reads).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var found = new List<(Approval Approval, long Sequence)>(ids.Length);
        var gone = new List<RedisValue>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (entries[i].Length == 0)
            {
                // Its key expired (the retention passed): the index entry outlived it.
                gone.Add(ids[i]);
                continue;
            }

            var (approval, sequence) = ReadApproval(entries[i]);
            // INVARIANT: a transition moves an approval between indexes in the same script that changes its state,
            // so the state read here is the index's; a read racing a transition may see the newer state.
            if (approval.State == state)
            {
                found.Add((approval, sequence));
            }
        }

        if (gone.Count > 0)
        {
            await _connection.RunAsync(db => db.SortedSetRemoveAsync(index, [.. gone])).ConfigureAwait(false);
        }

        return [.. found.OrderBy(f => f.Approval.CreatedAt).ThenBy(f => f.Sequence).Select(f => f.Approval)];
    }

    public async ValueTask<ApprovalDecisionResult> DecideAsync(string id, bool approve, string? reason, string decidedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(decidedBy);
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = await SettleAsync(id, approve ? ApprovalState.Approved : ApprovalState.Denied, decidedBy, reason, owner: null).ConfigureAwait(false);
        return outcome switch
        {
            "settled" => ApprovalDecisionResult.Decided,
            "not_found" => ApprovalDecisionResult.NotFound,
            _ => ApprovalDecisionResult.NotPending,
        };
    }

    public async ValueTask<Approval> WaitAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        // Registered before the first read: a notification arriving after that read completes it.
        var settled = _settled.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        using var timers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await SubscribeAsync().ConfigureAwait(false);
            Approval? approval;
            DateTimeOffset expiresAt;
            try
            {
                approval = await ReadAsync(id).ConfigureAwait(false) ?? throw Unknown(id);
                expiresAt = approval.ExpiresAt;
            }
            catch (StoreUnavailableException) when (_submitted.TryGetValue(id, out expiresAt))
            {
                // Submitted here a moment ago: the wait knows its expiry, and keeps trying until then.
                approval = null;
            }

            // Both timers exist before the next await, so a clock moved right after this call returns fires them.
            var expiry = Delay(expiresAt, timers.Token);
            var poll = Task.Delay(_pollInterval, _time, timers.Token);
            while (approval is not { IsDecided: true })
            {
                if (_time.GetUtcNow() >= expiresAt)
                {
                    // Redis still unreachable at the expiry: StoreUnavailableException, and the gateway refuses the call.
                    return await TimeOutAsync(id).ConfigureAwait(false) ?? throw Unknown(id);
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
                    expiry = Delay(expiresAt, timers.Token);
                }

                if (settled.Task.IsCompleted)
                {
                    settled = _settled.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                }

                await SubscribeAsync().ConfigureAwait(false);
                try
                {
                    approval = await ReadAsync(id).ConfigureAwait(false) ?? throw Unknown(id);
                }
                catch (StoreUnavailableException)
                {
                    // Redis is down for now: the call keeps waiting, and the next poll tries again.
                }
            }

            return approval;
        }
        finally
        {
            _submitted.TryRemove(id, out _);
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
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] arguments = [id, binding.Grant, binding.Server, binding.Tool, binding.ArgumentsSha256, binding.PolicyRevision, _retentionMilliseconds];
        RedisKey[] keys = [ApprovalKey(id), IndexKey(ApprovalState.Approved), IndexKey(ApprovalState.Used)];
        var used = await _connection.RunAsync(db => ApprovalScripts.Use.EvaluateAsync(db, keys, arguments)).ConfigureAwait(false);
        return (long)used == 1;
    }

    public async ValueTask<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        return await SettleAsync(id, ApprovalState.Abandoned, Gateway, reason, owner: null).ConfigureAwait(false) == "settled";
    }

    public async ValueTask<int> AbandonOrphansAsync(Func<string, bool> ownerIsAlive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ownerIsAlive);
        cancellationToken.ThrowIfCancellationRequested();
        // Past its expiry an approval times out, as everywhere else, rather than counting as abandoned.
        var pending = await TimeOutExpiredAsync().ConfigureAwait(false);
        var abandoned = 0;
        // Owners are judged between scripts (a process lookup each); the script rechecks that each is still
        // pending, unexpired and held by that owner.
        foreach (var byOwner in pending.GroupBy(p => p.Owner, StringComparer.Ordinal))
        {
            if (ownerIsAlive(byOwner.Key))
            {
                continue;
            }

            foreach (var (id, owner) in byOwner)
            {
                if (await SettleAsync(id, ApprovalState.Abandoned, Gateway, OrphanReason, owner).ConfigureAwait(false) == "settled")
                {
                    abandoned++;
                }
            }
        }

        return abandoned;
    }

    /// <summary>
    /// Times out every pending approval past its expiry and drops index entries of approvals Redis no longer holds;
    /// returns the (id, owner) of those still pending.
    /// </summary>
    private async Task<List<(string Id, string Owner)>> TimeOutExpiredAsync()
    {
        var ids = await _connection.RunAsync(db => db.SortedSetRangeByRankAsync(_pending)).ConfigureAwait(false);
        var fields = await _connection.RunAsync(async db =>
        {
            var reads = ids.Select(id => db.HashGetAsync(ApprovalKey(id.ToString()), ["expires_at", "owner"])).ToList();
            return await Task.WhenAll(reads).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        var pending = new List<(string Id, string Owner)>(ids.Length);
        var gone = new List<RedisValue>();
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i].ToString();
            if (fields[i][0].IsNull)
            {
                gone.Add(ids[i]);
            }
            else if (now >= Instant(fields[i][0].ToString()))
            {
                await SettleAsync(id, ApprovalState.TimedOut, Gateway, TimedOutReason, owner: null).ConfigureAwait(false);
            }
            else
            {
                pending.Add((id, fields[i][1].ToString()));
            }
        }

        if (gone.Count > 0)
        {
            await _connection.RunAsync(db => db.SortedSetRemoveAsync(_pending, [.. gone])).ConfigureAwait(false);
        }

        return pending;
    }

    /// <summary>Times the approval out if it is pending past its expiry; returns it as it now stands (null if absent).</summary>
    private async Task<Approval?> TimeOutAsync(string id)
    {
        await SettleAsync(id, ApprovalState.TimedOut, Gateway, TimedOutReason, owner: null).ConfigureAwait(false);
        return await ReadAsync(id).ConfigureAwait(false);
    }

    /// <summary>Runs <see cref="ApprovalScripts.Settle"/>; returns its outcome and, when it changed the approval, completes this process's waits at once.</summary>
    private async Task<string> SettleAsync(string id, ApprovalState state, string decidedBy, string? reason, string? owner)
    {
        RedisKey[] keys = [ApprovalKey(id), _pending, IndexKey(state), IndexKey(ApprovalState.TimedOut)];
        RedisValue[] arguments =
        [
            id, Ticks(_time.GetUtcNow()), ApprovalStateNames.Text(state), decidedBy,
            reason is null ? "0" : "1", reason ?? string.Empty, owner ?? string.Empty,
            _retentionMilliseconds, _channel.ToString(), TimedOutReason,
        ];
        var outcome = (string)(await _connection.RunAsync(db => ApprovalScripts.Settle.EvaluateAsync(db, keys, arguments)).ConfigureAwait(false))!;
        if (outcome is "settled" or "timed_out")
        {
            Signal(id);
        }

        return outcome;
    }

    /// <summary>
    /// Subscribes to the transitions' channel once; the multiplexer subscribes again by itself after a reconnect.
    /// A failure leaves the waits to their polls, and the next wait's turn tries again.
    /// </summary>
    private async Task SubscribeAsync()
    {
        if (Interlocked.CompareExchange(ref _subscription, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await _connection.Subscriber.SubscribeAsync(_channel, _onNotification).WaitAsync(_connection.Options.OperationTimeout).ConfigureAwait(false);
            Volatile.Write(ref _subscription, 2);
        }
#pragma warning disable CA1031 // A wait does not depend on its notification: it polls as well.
        catch (Exception)
#pragma warning restore CA1031
        {
            // Taken back, so that the next attempt does not register the handler twice.
            await UnsubscribeQuietlyAsync().ConfigureAwait(false);
            Volatile.Write(ref _subscription, 0);
        }
    }

    private async Task UnsubscribeQuietlyAsync()
    {
        try
        {
            await _connection.Subscriber.UnsubscribeAsync(_channel, _onNotification).WaitAsync(_connection.Options.OperationTimeout).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The handler is removed locally whether or not the server hears of it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Keeps the expiry of an approval submitted here; forgets those past their expiry once there are many (submits never waited for).</summary>
    private void Remember(Approval approval)
    {
        if (_submitted.Count >= 1024)
        {
            var now = _time.GetUtcNow();
            foreach (var (id, expiresAt) in _submitted)
            {
                if (expiresAt <= now)
                {
                    _submitted.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, expiresAt));
                }
            }
        }

        _submitted[approval.Id] = approval.ExpiresAt;
    }

    private async Task<Approval?> ReadAsync(string id)
    {
        var entries = await _connection.RunAsync(db => db.HashGetAllAsync(ApprovalKey(id))).ConfigureAwait(false);
        return entries.Length == 0 ? null : ReadApproval(entries).Approval;
    }

    private Task Delay(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var remaining = until - _time.GetUtcNow();
        return remaining > TimeSpan.Zero ? Task.Delay(remaining, _time, cancellationToken) : Task.CompletedTask;
    }

    private RedisKey ApprovalKey(string id) => _connection.Key("approval:" + id);

    private RedisKey IndexKey(ApprovalState state) => _connection.Key("approvals:" + ApprovalStateNames.Text(state));

    private static KeyNotFoundException Unknown(string id) => new($"no approval has the id {id}");

    private static string Ticks(DateTimeOffset instant) => instant.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(string ticks) => new(long.Parse(ticks, NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);

    private static (Approval Approval, long Sequence) ReadApproval(HashEntry[] entries)
    {
        var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value, StringComparer.Ordinal);
        string Text(string name) => fields.TryGetValue(name, out var value) && !value.IsNull
            ? value.ToString()
            : throw new InvalidDataException($"the approval {Optional("id")} in Redis lacks its '{name}'");
        string? Optional(string name) => fields.TryGetValue(name, out var value) && !value.IsNull ? value.ToString() : null;

        var stateText = Text("state");
        var approval = new Approval
        {
            Id = Text("id"),
            Binding = new ApprovalBinding(Text("grant"), Text("server"), Text("tool"), Text("arguments_sha256"), Text("policy_revision")),
            Session = Text("session"),
            Arguments = Text("arguments"),
            RulePath = Text("rule_path"),
            Message = Text("message"),
            Owner = Text("owner"),
            CreatedAt = Instant(Text("created_at")),
            ExpiresAt = Instant(Text("expires_at")),
            State = ApprovalStateNames.TryParse(stateText, out var state) ? state : throw new InvalidDataException($"Redis holds an approval in an unknown state '{stateText}'"),
            DecidedAt = Optional("decided_at") is { } decidedAt ? Instant(decidedAt) : null,
            DecidedBy = Optional("decided_by"),
            Reason = Optional("reason"),
        };
        return (approval, long.Parse(Text("seq"), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private void Signal(string id)
    {
        if (_settled.TryRemove(id, out var settled))
        {
            settled.TrySetResult();
        }
    }
}
