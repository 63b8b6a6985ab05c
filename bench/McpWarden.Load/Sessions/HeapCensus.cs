using Microsoft.Diagnostics.Runtime;

namespace McpWarden.Load.Sessions;

/// <summary>
/// The live managed objects of another .NET process, by type: the process is suspended, and every object reachable
/// from its GC roots is counted once (what a full GC would keep; garbage not yet collected is not counted, so no GC
/// has to be forced). Machine-independent: the same sessions give the same census on any machine with the same runtime.
/// </summary>
internal sealed class HeapCensus
{
    private HeapCensus(IReadOnlyDictionary<string, TypeTally> byType, long committedBytes)
    {
        ByType = byType;
        CommittedBytes = committedBytes;
        Bytes = byType.Values.Sum(t => t.Bytes);
        Objects = byType.Values.Sum(t => t.Count);
    }

    public IReadOnlyDictionary<string, TypeTally> ByType { get; }

    public long Bytes { get; }

    public long Objects { get; }

    /// <summary>What the GC heap has committed: the live objects, garbage not yet collected, and room to allocate.</summary>
    public long CommittedBytes { get; }

    /// <summary>Takes the census; needs the right to trace the process (ptrace), as a debugger does.</summary>
    /// <remarks>A process caught in the middle of a GC cannot be walked: it is let go and caught again, a few times.</remarks>
    public static async Task<HeapCensus> TakeAsync(int processId, TimeProvider time)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Take(processId);
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time).ConfigureAwait(false);
            }
        }
    }

    private static HeapCensus Take(int processId)
    {
        using var target = DataTarget.AttachToProcess(processId, suspend: true);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var heap = runtime.Heap;
        if (!heap.CanWalkHeap)
        {
            throw new InvalidOperationException("the gateway's heap cannot be walked right now (a GC was in progress); run again");
        }

        var byType = new Dictionary<string, TypeTally>(StringComparer.Ordinal);
        var seen = new HashSet<ulong>();
        var pending = new Stack<ClrObject>();
        foreach (var root in heap.EnumerateRoots())
        {
            pending.Push(root.Object);
        }

        while (pending.Count > 0)
        {
            var item = pending.Pop();
            if (!item.IsValid || item.IsFree || !seen.Add(item.Address))
            {
                continue;
            }

            var name = item.Type?.Name ?? "(unknown type)";
            ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(byType, name, out _);
            tally = new TypeTally(tally.Count + 1, tally.Bytes + (long)item.Size);
            foreach (var reference in item.EnumerateReferences(carefully: false, considerDependantHandles: true))
            {
                pending.Push(reference);
            }
        }

        return new HeapCensus(byType, heap.Segments.Sum(s => (long)s.CommittedMemory.Length));
    }
}
