using System.Text;
using McpWarden.Gateway.Audit;
using McpWarden.Storage.Sqlite.Database;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Audit;

/// <summary>
/// The audit log in the store's file. An append goes through the writer like a counter consume, so a
/// call's units and its record are usually committed together; it returns once committed.
/// </summary>
public sealed class SqliteAuditSink : IAuditSink
{
    private const string SelectColumns =
        "id, time, grant, session, server, tool, decision, code, rule_path, message, arguments_sha256, arguments, policy_revision, evaluation, mode, approval_id, outcome, upstream_latency";

    private const string Insert = """
        INSERT INTO audit (time, grant, session, server, tool, decision, code, rule_path, message, arguments_sha256, arguments, policy_revision, evaluation, mode, approval_id, outcome, upstream_latency)
        VALUES ($time, $grant, $session, $server, $tool, $decision, $code, $rule_path, $message, $arguments_sha256, $arguments, $policy_revision, $evaluation, $mode, $approval_id, $outcome, $upstream_latency)
        RETURNING id
        """;

    private const string Complete = "UPDATE audit SET outcome = $outcome, upstream_latency = $latency WHERE id = $id";

    private readonly WriteQueue _writes;
    private readonly ReaderPool _readers;

    internal SqliteAuditSink(WriteQueue writes, ReaderPool readers) => (_writes, _readers) = (writes, readers);

    public async ValueTask<AuditRecord> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var id = await _writes.Enqueue(connection => Append(connection, record), cancellationToken).ConfigureAwait(false);
        return record with { Id = id };
    }

    public async ValueTask CompleteAsync(long id, string outcome, TimeSpan upstreamLatency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        // No one waits on the outcome to go on (the call has been answered): it rides in the next commit, or in
        // its own after SqliteStoreOptions.DeferredLinger, instead of a commit of its own beside the answer.
        await _writes.EnqueueDeferred(connection =>
        {
            var command = connection.Command(Complete);
            command.Bind("$id", id);
            command.Bind("$outcome", outcome);
            command.Bind("$latency", upstreamLatency.Ticks);
            return command.ExecuteNonQuery() == 1 ? true : throw new ArgumentOutOfRangeException(nameof(id), id, "no audit record has this id");
        }).ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ValueTask.FromResult<IReadOnlyList<AuditRecord>>(_readers.Read(connection => Query(connection, query)));
    }

    /// <summary>On the writer thread, inside its transaction: inserts the record and returns its id.</summary>
    internal static long Append(StoreConnection connection, AuditRecord record)
    {
        var command = connection.Command(Insert);
        command.Bind("$time", Columns.Ticks(record.Time));
        command.Bind("$grant", record.Grant);
        command.Bind("$session", record.Session);
        command.Bind("$server", record.Server);
        command.Bind("$tool", record.Tool);
        command.Bind("$decision", record.Decision);
        command.Bind("$code", record.Code);
        command.Bind("$rule_path", record.RulePath);
        command.Bind("$message", record.Message);
        command.Bind("$arguments_sha256", record.ArgumentsSha256);
        command.Bind("$arguments", record.Arguments);
        command.Bind("$policy_revision", record.PolicyRevision);
        command.Bind("$evaluation", record.Evaluation.Ticks);
        command.Bind("$mode", record.Mode);
        command.Bind("$approval_id", record.ApprovalId);
        command.Bind("$outcome", record.Outcome);
        command.Bind("$upstream_latency", record.UpstreamLatency?.Ticks);
        return (long)command.ExecuteScalar()!;
    }

    private static List<AuditRecord> Query(StoreConnection connection, AuditQuery query)
    {
        // The text depends only on which filters are set, so each shape is prepared once per connection.
        var sql = new StringBuilder("SELECT ").Append(SelectColumns).Append(" FROM audit WHERE 1 = 1");
        var parameters = new List<(string Name, object Value)>();
        void Filter(string condition, string name, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(condition);
                parameters.Add((name, value));
            }
        }

        Filter("time >= $since", "$since", query.Since is { } since ? Columns.Ticks(since) : null);
        Filter("time < $until", "$until", query.Until is { } until ? Columns.Ticks(until) : null);
        Filter("decision = $decision", "$decision", query.Decision);
        Filter("code = $code", "$code", query.Code);
        Filter("grant = $grant", "$grant", query.Grant);
        Filter("server = $server", "$server", query.Server);
        Filter("tool = $tool", "$tool", query.Tool);
        Filter("id < $before", "$before", query.BeforeId);
        sql.Append(" ORDER BY id DESC LIMIT $limit");

        var command = connection.Command(sql.ToString());
        foreach (var (name, value) in parameters)
        {
            command.Bind(name, value);
        }

        command.Bind("$limit", Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit));
        var records = new List<AuditRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            records.Add(Read(reader));
        }

        return records;
    }

    private static AuditRecord Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Time = Columns.Instant(reader.GetInt64(1)),
        Grant = reader.GetString(2),
        Session = reader.GetString(3),
        Server = reader.GetString(4),
        Tool = reader.GetString(5),
        Decision = reader.GetString(6),
        Code = reader.GetString(7),
        RulePath = reader.GetString(8),
        Message = reader.GetString(9),
        ArgumentsSha256 = reader.GetString(10),
        Arguments = Columns.Text(reader, 11),
        PolicyRevision = reader.GetString(12),
        Evaluation = TimeSpan.FromTicks(reader.GetInt64(13)),
        Mode = reader.GetString(14),
        ApprovalId = Columns.Text(reader, 15),
        Outcome = Columns.Text(reader, 16),
        UpstreamLatency = Columns.Duration(reader, 17),
    };
}
