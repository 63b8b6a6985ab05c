using System.Globalization;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Database;

/// <summary>How values are kept in columns: instants as UTC ticks, durations as ticks, decimals as exact invariant text.</summary>
internal static class Columns
{
    public static long Ticks(DateTimeOffset instant) => instant.UtcTicks;

    public static DateTimeOffset Instant(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? Instant(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Instant(reader.GetInt64(ordinal));

    public static TimeSpan? Duration(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : TimeSpan.FromTicks(reader.GetInt64(ordinal));

    public static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Decimal as text: SQLite's own numbers are doubles, which would round a spend cap.</summary>
    public static string Exact(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static decimal Exact(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    /// <summary>Binds a parameter, mapping null to SQL NULL.</summary>
    public static void Bind(this SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
}
