using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Limits;

/// <summary>One limit's units in its window, this call's included.</summary>
public readonly record struct LimitUsage(LimitObligation Limit, decimal Used)
{
    /// <summary>The share of the max in use, 0 to 1 (a max of 0 is full).</summary>
    public double Share => Limit.Max <= 0 ? 1 : (double)Math.Min(1m, Used / Limit.Max);

    /// <summary>Keeps the fuller of two usages (the first on a tie, so the policy's order decides).</summary>
    public static LimitUsage Fuller(LimitUsage? current, LimitUsage candidate) =>
        current is { } kept && kept.Share >= candidate.Share ? kept : candidate;
}
