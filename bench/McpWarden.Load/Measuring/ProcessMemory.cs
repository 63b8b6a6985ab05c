namespace McpWarden.Load.Measuring;

/// <summary>A process's resident memory from <c>/proc/PID/status</c>: all of it (VmRSS) and its anonymous part (RssAnon, without mapped files).</summary>
internal readonly record struct ProcessMemory(long RssKiB, long AnonKiB, int Threads)
{
    /// <summary>One reading; a process that is gone fails the run rather than reading as one that holds nothing.</summary>
    public static ProcessMemory Read(int processId)
    {
        var figures = ProcFs.StatusFields(processId, ["VmRSS:", "RssAnon:", "Threads:"])
            ?? throw new InvalidOperationException($"process {processId} is gone: its memory cannot be read");
        return new ProcessMemory(figures[0] ?? 0, figures[1] ?? 0, (int)(figures[2] ?? 0));
    }

    /// <summary>The median of each figure over <paramref name="samples"/> readings 500 ms apart: one GC or one burst of allocation does not move it.</summary>
    public static async Task<ProcessMemory> MedianAsync(int processId, int samples, TimeProvider time)
    {
        var readings = new List<ProcessMemory>();
        for (var i = 0; i < samples; i++)
        {
            if (i > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time).ConfigureAwait(false);
            }

            readings.Add(Read(processId));
        }

        return new ProcessMemory(
            Median(readings.Select(r => r.RssKiB)),
            Median(readings.Select(r => r.AnonKiB)),
            (int)Median(readings.Select(r => (long)r.Threads)));
    }

    private static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
