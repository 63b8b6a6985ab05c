using System.Globalization;

namespace McpWarden.Soak;

/// <summary>Reads a process's VmRSS and Threads from <c>/proc/PID/status</c> at a fixed interval.</summary>
internal sealed class RssSampler(int processId, RunClock clock)
{
    private readonly List<RssSample> _samples = [];

    public IReadOnlyList<RssSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public async Task RunAsync(TimeSpan every, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(every);
        do
        {
            if (Read() is { } sample)
            {
                lock (_samples)
                {
                    _samples.Add(sample);
                }
            }
        }
        while (await Tick(timer, stop).ConfigureAwait(false));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One sample; null once the process is gone.</summary>
    private RssSample? Read()
    {
        long? rss = null;
        int? threads = null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                // "VmRSS:	  123456 kB", "Threads:	27"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return rss is { } kb ? new RssSample(Math.Round(clock.Now, 2), kb, threads ?? 0) : null;
    }
}
