using McpWarden.Catalog.Pinning;
using McpWarden.Gateway.Pinning;
using McpWarden.Storage.Sqlite.Database;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Pinning;

/// <summary>
/// Pins in the store's file. A check that would pin or mark anything runs on the writer, reading and writing
/// inside one <c>BEGIN IMMEDIATE</c> transaction, so that of several processes listing the same server at once
/// one pins a first-seen tool and the others compare against that pin; a new changed definition is reported
/// (<see cref="PinCheck.NewlyChanged"/>) by exactly one of them. A list that matches every pin is answered from a
/// read, without the write lock: that is every <c>tools/list</c> of a server that did not change.
/// </summary>
public sealed class SqlitePinStore : IPinStore
{
    private const string SelectColumns =
        "server, tool, fingerprint, definition, pinned_at, accepted_at, changed_fingerprint, changed_definition, changed_at";

    private const string SelectServer = $"SELECT {SelectColumns} FROM pins WHERE server = $server";

    private const string SelectOne = $"SELECT {SelectColumns} FROM pins WHERE server = $server AND tool = $tool";

    private const string Insert = """
        INSERT INTO pins (server, tool, fingerprint, definition, pinned_at)
        VALUES ($server, $tool, $fingerprint, $definition, $now)
        """;

    private const string MarkChanged = """
        UPDATE pins SET changed_fingerprint = $fingerprint, changed_definition = $definition, changed_at = $now
        WHERE server = $server AND tool = $tool
        """;

    private const string Accept = """
        UPDATE pins SET fingerprint = changed_fingerprint, definition = changed_definition, accepted_at = $now,
                        changed_fingerprint = NULL, changed_definition = NULL, changed_at = NULL
        WHERE server = $server AND tool = $tool AND changed_fingerprint = $fingerprint
        """;

    private readonly WriteQueue _writes;
    private readonly ReaderPool _readers;
    private readonly TimeProvider _time;

    internal SqlitePinStore(WriteQueue writes, ReaderPool readers, TimeProvider time) => (_writes, _readers, _time) = (writes, readers, time);

    public async Task<IReadOnlyList<PinCheck>> CheckAsync(string server, IReadOnlyList<PinnedDefinition> listed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(listed);
        var pins = _readers.Read(connection => SelectPins(connection, server));
        if (listed.All(definition => pins.TryGetValue(definition.Tool, out var pin) && pin.StateOf(definition) == PinState.Pinned))
        {
            return [.. listed.Select(definition => new PinCheck(definition.Tool, PinState.Pinned, pins[definition.Tool], NewlyChanged: false))];
        }

        var now = _time.GetUtcNow();
        return await _writes.Enqueue<IReadOnlyList<PinCheck>>(connection => CheckUnderLock(connection, server, listed, now), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<PinRecord>> ListAsync(string? server, CancellationToken cancellationToken) =>
        Task.FromResult(_readers.Read(connection =>
        {
            var command = connection.Command(server is null
                ? $"SELECT {SelectColumns} FROM pins ORDER BY server, tool"
                : $"{SelectServer} ORDER BY tool");
            if (server is not null)
            {
                command.Bind("$server", server);
            }

            var found = new List<PinRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                found.Add(ReadPin(reader));
            }

            // SQLite's default BINARY collation compares UTF-8 bytes; the other stores order by UTF-16 code units.
            return (IReadOnlyList<PinRecord>)[.. found.OrderBy(p => p.Server, StringComparer.Ordinal).ThenBy(p => p.Tool, StringComparer.Ordinal)];
        }));

    public Task<IReadOnlyList<PinName>> ListNamesAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_readers.Read(connection =>
        {
            var command = connection.Command("SELECT server, tool FROM pins");
            var found = new List<PinName>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                found.Add(new PinName(reader.GetString(0), reader.GetString(1)));
            }

            return (IReadOnlyList<PinName>)[.. found.OrderBy(p => p.Server, StringComparer.Ordinal).ThenBy(p => p.Tool, StringComparer.Ordinal)];
        }));

    public Task<PinAcceptance> AcceptAsync(string server, string tool, string? fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(tool);
        var now = _time.GetUtcNow();
        return _writes.Enqueue(connection =>
        {
            var command = connection.Command(SelectOne);
            command.Bind("$server", server);
            command.Bind("$tool", tool);
            PinRecord? pin;
            using (var reader = command.ExecuteReader())
            {
                pin = reader.Read() ? ReadPin(reader) : null;
            }

            if (pin is null)
            {
                return PinAcceptance.UnknownTool;
            }

            if (pin.Changed is not { } changed)
            {
                return PinAcceptance.NothingToAccept;
            }

            if (fingerprint is not null && !string.Equals(fingerprint, changed.Fingerprint, StringComparison.Ordinal))
            {
                return PinAcceptance.FingerprintMismatch;
            }

            var update = connection.Command(Accept);
            update.Bind("$server", server);
            update.Bind("$tool", tool);
            update.Bind("$fingerprint", changed.Fingerprint);
            update.Bind("$now", Columns.Ticks(now));
            return update.ExecuteNonQuery() == 1 ? PinAcceptance.Accepted : PinAcceptance.FingerprintMismatch;
        }, cancellationToken);
    }

    private static List<PinCheck> CheckUnderLock(StoreConnection connection, string server, IReadOnlyList<PinnedDefinition> listed, DateTimeOffset now)
    {
        // Reread under the write lock: another process may have pinned or marked these tools since the read above.
        var pins = SelectPins(connection, server);
        var checks = new List<PinCheck>(listed.Count);
        foreach (var definition in listed)
        {
            if (!pins.TryGetValue(definition.Tool, out var pin))
            {
                Write(connection, Insert, server, definition, now);
                pin = new PinRecord(server, definition.Tool, definition, now, null, null, null);
                pins[definition.Tool] = pin;
                checks.Add(new PinCheck(definition.Tool, PinState.Pinned, pin, NewlyChanged: false));
                continue;
            }

            if (pin.StateOf(definition) == PinState.Pinned)
            {
                checks.Add(new PinCheck(definition.Tool, PinState.Pinned, pin, NewlyChanged: false));
                continue;
            }

            var newlyChanged = pin.Changed?.Fingerprint != definition.Fingerprint;
            if (newlyChanged)
            {
                Write(connection, MarkChanged, server, definition, now);
                pin = pin with { Changed = definition, ChangedAt = now };
                pins[definition.Tool] = pin;
            }

            checks.Add(new PinCheck(definition.Tool, PinState.Changed, pin, newlyChanged));
        }

        return checks;
    }

    private static void Write(StoreConnection connection, string sql, string server, PinnedDefinition definition, DateTimeOffset now)
    {
        var command = connection.Command(sql);
        command.Bind("$server", server);
        command.Bind("$tool", definition.Tool);
        command.Bind("$fingerprint", definition.Fingerprint);
        command.Bind("$definition", definition.Definition);
        command.Bind("$now", Columns.Ticks(now));
        command.ExecuteNonQuery();
    }

    private static Dictionary<string, PinRecord> SelectPins(StoreConnection connection, string server)
    {
        var command = connection.Command(SelectServer);
        command.Bind("$server", server);
        var pins = new Dictionary<string, PinRecord>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var pin = ReadPin(reader);
            pins[pin.Tool] = pin;
        }

        return pins;
    }

    private static PinRecord ReadPin(SqliteDataReader reader)
    {
        var tool = reader.GetString(1);
        var changedFingerprint = Columns.Text(reader, 6);
        var changedDefinition = Columns.Text(reader, 7);
        return new PinRecord(
            reader.GetString(0),
            tool,
            new PinnedDefinition(tool, reader.GetString(2), reader.GetString(3)),
            Columns.Instant(reader.GetInt64(4)),
            Columns.Instant(reader, 5),
            changedFingerprint is not null && changedDefinition is not null ? new PinnedDefinition(tool, changedFingerprint, changedDefinition) : null,
            changedFingerprint is not null ? Columns.Instant(reader, 8) : null);
    }
}
