using System.Globalization;

namespace McpWarden.Load.Measuring;

/// <summary>The value syntaxes the load commands share, so that "2s" or "1,8,32" reads the same to each.</summary>
internal static class CommandLine
{
    /// <summary>"500ms", "20s", "5m", or a bare number of seconds.</summary>
    public static TimeSpan Duration(string name, string text) =>
        TryDuration(text) ?? throw new FormatException($"{name}: \"{text}\" is not a duration (500ms, 20s, 5m)");

    /// <summary>As <see cref="Duration"/>, null for what is not a duration (or no text at all).</summary>
    public static TimeSpan? TryDuration(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value * unit)
            : null;
    }

    /// <summary>"1,8,32": whole numbers from 1 to <paramref name="max"/>, in the order given, without repeats.</summary>
    public static int[] Counts(string name, string text, int max)
    {
        var counts = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > max)
            {
                throw new FormatException($"{name}: \"{part}\" is not a whole number from 1 to {max}");
            }

            if (!counts.Contains(count))
            {
                counts.Add(count);
            }
        }

        return counts.Count > 0 ? [.. counts] : throw new FormatException($"{name} needs at least one number");
    }

    /// <summary>Formats a number for a table: invariant culture, a fixed number of decimals.</summary>
    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
