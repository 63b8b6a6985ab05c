using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Limits;

/// <summary>What a counter store answered: admitted, or the first limit without room and when to retry.</summary>
/// <param name="Admitted">True when every limit had room (and, for a consume, took the call's units).</param>
/// <param name="Blocking">The first limit without room, when not admitted.</param>
/// <param name="RetryAfter">When the blocking limit will have room; null when the call alone exceeds its max.</param>
public readonly record struct CounterOutcome(bool Admitted, LimitObligation? Blocking, TimeSpan? RetryAfter)
{
    public static CounterOutcome Admit { get; } = new(true, null, null);

    public static CounterOutcome Refuse(LimitObligation blocking, TimeSpan? retryAfter) => new(false, blocking, retryAfter);
}
