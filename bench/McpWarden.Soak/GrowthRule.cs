using System.Globalization;

namespace McpWarden.Soak;

/// <summary>
/// Whether the gateway's memory grows without bound. The first third of the run is warm-up (JIT tiers, pools,
/// the heap finding its size) and is not judged. Memory grew when both hold:
/// <list type="bullet">
/// <item>the median RSS of the last third is above the 90th percentile of the middle third by more than
/// <see cref="StepFloorMb"/> (or <see cref="StepFraction"/> of the middle third's median, if larger): a series
/// that has levelled off, however noisy, keeps its last median under the middle's high samples, while a leak
/// carries it past them;</item>
/// <item>a least-squares line through the middle and last thirds climbs faster than
/// <see cref="SlopeLimitMbPerMinute"/>, so that a single jump (a pool grown once) with no climb after it does not
/// count as a leak.</item>
/// </list>
/// </summary>
/// <remarks>
/// A leak of r MB a minute over a run of T minutes sets the last third's median (at 5T/6) about r·T/5 above the
/// middle third's 90th percentile (near 19T/30). Over 30 minutes that is 6·r: a leak of 2 MB a minute or more
/// fails. The 60-second run in CI judges 20-second thirds, so it catches only gross growth (some 60 MB a
/// minute); slow leaks are for the long run.
/// </remarks>
internal static class GrowthRule
{
    public const double StepFloorMb = 12;
    public const double StepFraction = 0.05;
    public const double SlopeLimitMbPerMinute = 1.0;
    public const int MinimumSamplesPerThird = 5;

    public static GrowthVerdict Judge(IReadOnlyList<RssSample> samples, double durationSeconds)
    {
        var third = durationSeconds / 3;
        var middle = samples.Where(s => s.At >= third && s.At < 2 * third).Select(Mb).Order().ToList();
        var last = samples.Where(s => s.At >= 2 * third).Select(Mb).Order().ToList();
        if (middle.Count < MinimumSamplesPerThird || last.Count < MinimumSamplesPerThird)
        {
            return new GrowthVerdict(false, false, 0, 0, 0, 0, 0, 0, SlopeLimitMbPerMinute,
                $"too few RSS samples to judge: {middle.Count} in the middle third and {last.Count} in the last (at least {MinimumSamplesPerThird} each); sample more often");
        }

        var middleMedian = Percentile(middle, 0.5);
        var middleHigh = Percentile(middle, 0.9);
        var lastMedian = Percentile(last, 0.5);
        var step = lastMedian - middleHigh;
        var stepLimit = Math.Max(StepFloorMb, StepFraction * middleMedian);
        var judged = samples.Where(s => s.At >= third).ToList();
        var slope = SlopePerSecond(judged.Select(s => s.At).ToList(), judged.Select(Mb).ToList()) * 60;
        var grew = step > stepLimit && slope > SlopeLimitMbPerMinute;
        var explanation = string.Create(CultureInfo.InvariantCulture,
            $"middle third RSS median {middleMedian:F1} MB, 90th percentile {middleHigh:F1} MB; last third median {lastMedian:F1} MB (step {step:+0.0;-0.0} MB, limit {stepLimit:F1}); least-squares slope {slope:+0.00;-0.00} MB/min (limit {SlopeLimitMbPerMinute:F1}): {(grew ? "GROWING" : "bounded")}");
        return new GrowthVerdict(true, grew, Round(middleMedian), Round(middleHigh), Round(lastMedian), Round(step), Round(stepLimit), Math.Round(slope, 3), SlopeLimitMbPerMinute, explanation);
    }

    private static double Mb(RssSample sample) => sample.RssKb / 1024.0;

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double fraction) =>
        sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double SlopePerSecond(List<double> x, List<double> y)
    {
        var meanX = x.Average();
        var meanY = y.Average();
        var covariance = x.Zip(y, (a, b) => (a - meanX) * (b - meanY)).Sum();
        var variance = x.Sum(a => (a - meanX) * (a - meanX));
        return variance == 0 ? 0 : covariance / variance;
    }

    private static double Round(double value) => Math.Round(value, 1);
}
