using System.Globalization;

namespace McpWarden.Load.Sessions;

/// <summary>A process's resident memory from <c>/proc/PID/status</c>: all of it (VmRSS) and its anonymous part (RssAnon, without mapped files).</summary>
internal readonly record struct ProcessMemory(long RssKiB, long AnonKiB, int Threads)
{
    public static ProcessMemory Read(int processId)
    {
        long rss = 0, anon = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            // "VmRSS:	  123456 kB", "RssAnon:	  100000 kB", "Threads:	27"
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Number(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Number(line);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = (int)Number(line);
            }
        }

        return new ProcessMemory(rss, anon, threads);
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

    private static long Number(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
}
