namespace McpWarden.Load.Counters;

/// <summary>One store's phases and what it held afterwards.</summary>
/// <param name="ManagedGrowth">The managed heap after compacting collections, less what it was before the first store opened (with the obligations made): the store's own objects while it is open (and the runtime's for it).</param>
/// <param name="Rss">This process's resident set after the run.</param>
/// <param name="Outside">What the store holds outside this process: the SQLite file (with its WAL), the redis-server's RSS.</param>
internal sealed record CountersStoreResult(string Store, IReadOnlyList<CountersPhase> Phases, long ManagedGrowth, long Rss, string Outside);
