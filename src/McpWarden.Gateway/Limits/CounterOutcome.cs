using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Limits;

/// <summary>What a counter store answered: admitted, or the first limit without room and when to retry.</summary>
/// <param name="Admitted">True when every limit had room (and, for a consume, took the call's units).</param>
/// <param name="Blocking">The first limit without room, when not admitted.</param>
/// <param name="RetryAfter">When the blocking limit will have room; null when the call alone exceeds its max.</param>
public readonly record struct CounterOutcome(bool Admitted, LimitObligation? Blocking, TimeSpan? RetryAfter)
{
    public static CounterOutcome Admit { get; } = new(true, null, null);

    /// <summary>
    /// When admitted: the call's limit closest to its max, with its units in the window counting this call's (as
    /// if taken, for a check): what the metrics report as a budget running out. Null when the call had no limits.
    /// </summary>
    public LimitUsage? Fullest { get; init; }

    public static CounterOutcome Refuse(LimitObligation blocking, TimeSpan? retryAfter) => new(false, blocking, retryAfter);

    /// <summary>Admitted, reporting the fullest limit (the highest share of its max) of those the call counted against.</summary>
    public static CounterOutcome AdmitWith(LimitUsage fullest) => new(true, null, null) { Fullest = fullest };
}
