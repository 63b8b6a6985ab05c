namespace McpWarden.Load.Measuring;

/// <summary>
/// The one definition of a percentile the harness reports: nearest rank, the sample of rank ⌈q·n⌉ among n sorted
/// samples, no interpolation (30 runs have no p99.9 to speak of, and a reported figure is always one that was measured).
/// </summary>
internal static class Percentiles
{
    /// <summary>The rank, 1 to <paramref name="count"/>, of the sample at quantile <paramref name="q"/> (0 to 1) of <paramref name="count"/> sorted samples; 0 of none.</summary>
    public static long Rank(double q, long count) => count == 0 ? 0 : Math.Clamp((long)Math.Ceiling(q * count), 1, count);

    /// <summary>The value at percentile <paramref name="p"/> (0 to 100) of <paramref name="sorted"/>, which must be sorted and not empty.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted[(int)Rank(p / 100, sorted.Count) - 1];
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
