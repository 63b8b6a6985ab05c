namespace McpWarden.Load.Startup;

/// <summary>Order statistics of a handful of timings: nearest rank, no interpolation (30 runs have no p99.9 to speak of).</summary>
internal static class Percentiles
{
    /// <summary>The value at percentile <paramref name="p"/> (0 to 100) of <paramref name="sorted"/>, which must be sorted and not empty.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>"min / p50 / p95 / max" in milliseconds.</summary>
    public static string Summary(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0
            ? "-"
            : FormattableString.Invariant($"{sorted[0],6:F0} {Of(sorted, 50),6:F0} {Of(sorted, 95),6:F0} {sorted[^1],6:F0}");
    }
}
