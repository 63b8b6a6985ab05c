using McpWarden.Load.Measuring;

namespace McpWarden.Load.Sessions;

/// <summary>The gateway measured with <paramref name="Sessions"/> idle sessions open.</summary>
/// <param name="Census">The live managed objects; null when the census was skipped.</param>
internal sealed record MemoryPoint(int Sessions, ProcessMemory Memory, HeapCensus? Census);
