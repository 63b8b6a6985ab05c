namespace McpWarden.Load.Sessions;

/// <summary>How many live objects of one type, and their bytes (shallow sizes).</summary>
internal readonly record struct TypeTally(long Count, long Bytes);
