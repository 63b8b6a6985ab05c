namespace McpWarden.Load.Counters;

/// <summary>One store's phases and what it held afterwards.</summary>
/// <param name="ManagedGrowth">The managed heap after a full collection, less what it was before the store opened: the store's own objects (and the runtime's for it).</param>
/// <param name="Rss">This process's resident set after the run.</param>
/// <param name="Outside">What the store holds outside this process: the SQLite file (with its WAL), the redis-server's RSS.</param>
internal sealed record CountersStoreResult(string Store, IReadOnlyList<CountersPhase> Phases, long ManagedGrowth, long Rss, string Outside);
