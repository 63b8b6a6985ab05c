using System.Globalization;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Database;

/// <summary>
/// The store's tables, versioned by <c>PRAGMA user_version</c> and marked as McpWarden's by
/// <c>PRAGMA application_id</c>. Opening migrates an older file forward and refuses a file that is not a
/// McpWarden store or that a newer McpWarden wrote.
/// </summary>
internal static class StoreSchema
{
    /// <summary>"MCPW": tells a McpWarden store from any other SQLite file.</summary>
    public const int ApplicationId = 0x4D435057;

    /// <summary>Migrations in order: entry i takes the file from version i to i + 1.</summary>
    private static readonly string[] Migrations =
    [
        """
        -- Units admitted to sliding-window budgets. Units taken within 1/1024 of a window of each other share
        -- a row stamped with the latest of their times, so a budget keeps about 1024 rows per window at most.
        CREATE TABLE counter_units (
            id      INTEGER PRIMARY KEY,
            key     TEXT    NOT NULL,
            opened  INTEGER NOT NULL, -- ticks (UTC) when the row began taking units
            at      INTEGER NOT NULL, -- ticks (UTC) of the latest units in it: they count until at + window
            units   TEXT    NOT NULL, -- exact decimal, invariant culture
            expires INTEGER NOT NULL  -- at + the longest window it was taken under: swept after
        );
        CREATE INDEX counter_units_key_at ON counter_units (key, at);
        CREATE INDEX counter_units_expires ON counter_units (expires);

        -- What a budget's rows add up to, kept so that a call reads only the rows that left the window
        -- since the last call, not all of them. A summary is a shortcut, never the truth: one that cannot
        -- be trusted (another window, a clock that went back, rows swept) is recomputed from the rows.
        CREATE TABLE counter_budgets (
            key     TEXT    NOT NULL PRIMARY KEY,
            window  INTEGER NOT NULL, -- ticks: the window the summary was computed for
            horizon INTEGER NOT NULL, -- ticks (UTC): used is the exact sum of the key's rows with at > horizon
            used    TEXT    NOT NULL  -- exact decimal, invariant culture
        ) WITHOUT ROWID;

        CREATE TABLE audit (
            id               INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so paging by id is stable
            time             INTEGER NOT NULL, -- ticks (UTC)
            grant            TEXT    NOT NULL,
            session          TEXT    NOT NULL,
            server           TEXT    NOT NULL,
            tool             TEXT    NOT NULL,
            decision         TEXT    NOT NULL,
            code             TEXT    NOT NULL,
            rule_path        TEXT    NOT NULL,
            message          TEXT    NOT NULL,
            arguments_sha256 TEXT    NOT NULL,
            arguments        TEXT,
            policy_revision  TEXT    NOT NULL,
            evaluation       INTEGER NOT NULL, -- ticks
            mode             TEXT    NOT NULL,
            approval_id      TEXT,
            outcome          TEXT,
            upstream_latency INTEGER           -- ticks
        );
        CREATE INDEX audit_time ON audit (time);
        CREATE INDEX audit_grant ON audit (grant, id);
        CREATE INDEX audit_server ON audit (server, id);
        CREATE INDEX audit_tool ON audit (tool, id);
        CREATE INDEX audit_decision ON audit (decision, id);

        CREATE TABLE approvals (
            id               TEXT    NOT NULL PRIMARY KEY,
            grant            TEXT    NOT NULL,
            server           TEXT    NOT NULL,
            tool             TEXT    NOT NULL,
            arguments_sha256 TEXT    NOT NULL,
            policy_revision  TEXT    NOT NULL,
            session          TEXT    NOT NULL,
            arguments        TEXT    NOT NULL,
            rule_path        TEXT    NOT NULL,
            message          TEXT    NOT NULL,
            owner            TEXT    NOT NULL,
            created_at       INTEGER NOT NULL, -- ticks (UTC)
            expires_at       INTEGER NOT NULL, -- ticks (UTC)
            state            TEXT    NOT NULL,
            decided_at       INTEGER,          -- ticks (UTC)
            decided_by       TEXT,
            reason           TEXT
        );
        CREATE INDEX approvals_state ON approvals (state, created_at);

        -- First-seen tool definitions; filled by the catalogue.
        CREATE TABLE pins (
            server      TEXT    NOT NULL,
            tool        TEXT    NOT NULL,
            fingerprint TEXT    NOT NULL,
            definition  TEXT    NOT NULL,
            pinned_at   INTEGER NOT NULL, -- ticks (UTC)
            accepted_at INTEGER,          -- ticks (UTC)
            PRIMARY KEY (server, tool)
        );
        """,
        """
        -- A listed definition that differs from the pin, kept for a person to review and accept; NULL while
        -- the server lists the pinned one (or nothing was ever changed).
        ALTER TABLE pins ADD COLUMN changed_fingerprint TEXT;
        ALTER TABLE pins ADD COLUMN changed_definition  TEXT;
        ALTER TABLE pins ADD COLUMN changed_at          INTEGER; -- ticks (UTC): when this changed definition was first seen
        """,
    ];

    /// <summary>The version this build writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>
    /// Checks that the file is a McpWarden store this build can use (or an empty file), puts it in WAL mode,
    /// and migrates it to <see cref="CurrentVersion"/>. Safe when several processes open one file at once:
    /// the migration runs under the write lock and rereads the version there.
    /// </summary>
    public static void Open(StoreConnection connection, string path)
    {
        try
        {
            Verify(connection, path);
            var mode = connection.Scalar<string>("PRAGMA journal_mode = WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new SqliteStoreException($"{path}: the store needs WAL mode, but SQLite kept journal mode '{mode}' (is the file on a network share?)");
            }

            var transaction = connection.Begin(deferred: false);
            try
            {
                var version = Verify(connection, path);
                for (var next = version; next < Migrations.Length; next++)
                {
                    connection.Execute(Migrations[next]);
                }

                if (version < Migrations.Length)
                {
                    connection.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {Migrations.Length};"));
                }

                transaction.Commit();
            }
            finally
            {
                connection.End();
            }
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode == 26)
        {
            // SQLITE_NOTADB: some other kind of file at the configured path.
            throw new SqliteStoreException($"{path} is not a SQLite database; McpWarden will not overwrite it. Set store.path to a new file or to an existing McpWarden store.", exception);
        }
    }

    /// <summary>The file's schema version; throws if McpWarden must not touch the file.</summary>
    private static int Verify(StoreConnection connection, string path)
    {
        // One statement, so one snapshot: read one by one, the marks could be read before another process
        // committed a new schema and the tables after, which looks like a foreign file.
        var marks = connection.Integers("SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_master) FROM pragma_application_id() AS a, pragma_user_version() AS v");
        var (applicationId, version, objects) = (marks[0], marks[1], marks[2]);

        if (applicationId == 0 && version == 0 && objects == 0)
        {
            return 0;
        }

        if (applicationId != ApplicationId)
        {
            throw new SqliteStoreException($"{path} is a SQLite database, but not a McpWarden store (application_id {applicationId}); McpWarden will not change it. Set store.path to a new file or to an existing McpWarden store.");
        }

        if (version > Migrations.Length)
        {
            throw new SqliteStoreException($"{path} has store schema version {version}, written by a newer McpWarden; this one knows versions up to {Migrations.Length}. Upgrade McpWarden, or point store.path elsewhere.");
        }

        return (int)version;
    }
}
