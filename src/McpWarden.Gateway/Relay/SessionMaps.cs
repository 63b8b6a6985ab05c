using System.Collections.Concurrent;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// The maps a session keeps of what is in flight (its requests, the server's, its own work). An idle session has
/// nothing in flight, and a thousand idle sessions keep eight such maps each: they start at the smallest table
/// instead of the default 31 buckets (about 300 bytes each), and grow as a busy session needs.
/// </summary>
internal static class SessionMaps
{
    public static ConcurrentDictionary<TKey, TValue> Create<TKey, TValue>(IEqualityComparer<TKey>? comparer = null)
        where TKey : notnull =>
        // -1: as many locks as the default (one per processor).
        new(concurrencyLevel: -1, capacity: 0, comparer);
}
