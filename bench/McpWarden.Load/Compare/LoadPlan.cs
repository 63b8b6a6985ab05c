namespace McpWarden.Load.Compare;

/// <summary>
/// How long one closed-loop load runs: <see cref="Clients"/> sessions, each sending its next call when the last is
/// answered, unmeasured for <see cref="Warmup"/>, then measured for <see cref="Duration"/> or until <see cref="Calls"/>
/// calls were measured.
/// </summary>
internal sealed record LoadPlan(int Clients, TimeSpan Warmup, TimeSpan? Duration, long? Calls);
