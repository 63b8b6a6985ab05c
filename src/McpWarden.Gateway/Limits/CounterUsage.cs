namespace McpWarden.Gateway.Limits;

/// <summary>One budget with units in its window now, as a counter store reports it to the people who run the gateway.</summary>
/// <param name="Key">The budget's key (<see cref="McpWarden.Policy.Evaluation.BudgetKey"/> reads it).</param>
/// <param name="Used">The units admitted within <paramref name="Window"/> ending now.</param>
/// <param name="Window">The window the budget's newest units were taken under.</param>
/// <param name="NextFreeAt">When its oldest units in the window leave it, so that the used figure drops.</param>
public sealed record CounterUsage(string Key, decimal Used, TimeSpan Window, DateTimeOffset NextFreeAt);
