namespace McpWarden.Soak;

/// <summary>One limit of the policy, as written in it.</summary>
/// <param name="CostArgument">The argument whose value a call costs (a spend cap); null: each call costs 1.</param>
internal sealed record LimitDefinition(string Counter, string Rule, int WindowSeconds, double Max, LimitScope Scope, string? CostArgument);
