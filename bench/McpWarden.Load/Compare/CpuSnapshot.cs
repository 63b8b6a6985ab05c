using McpWarden.Load.Measuring;

namespace McpWarden.Load.Compare;

/// <summary>The CPU seconds each process of each role had used at one instant, and the most memory each had held (VmHWM).</summary>
internal sealed class CpuSnapshot
{
    private readonly Dictionary<MeasuredRole, Dictionary<int, double>> _seconds = [];
    private readonly Dictionary<MeasuredRole, long> _peakRss = [];

    private CpuSnapshot(long timestamp) => Timestamp = timestamp;

    public long Timestamp { get; }

    public static CpuSnapshot Take(IEnumerable<MeasuredRole> roles, TimeProvider time)
    {
        var snapshot = new CpuSnapshot(time.GetTimestamp());
        foreach (var role in roles)
        {
            var seconds = new Dictionary<int, double>();
            long peakRss = 0;
            foreach (var pid in role.Processes())
            {
                if (ProcFs.CpuSeconds(pid) is { } used)
                {
                    seconds[pid] = used;
                    peakRss += ProcFs.PeakRssBytes(pid) ?? 0;
                }
            }

            snapshot._seconds[role] = seconds;
            snapshot._peakRss[role] = peakRss;
        }

        return snapshot;
    }

    /// <summary>The sum of the VmHWM of a role's processes, in bytes: each one's own peak, not the peak of their sum.</summary>
    public long PeakRssBytes(MeasuredRole role) => _peakRss.GetValueOrDefault(role);

    /// <summary>CPU seconds a role's processes used between <paramref name="start"/> and this snapshot (a process started in between counts from zero); and how many there were.</summary>
    public (double Seconds, int Processes) Since(CpuSnapshot start, MeasuredRole role)
    {
        var before = start._seconds.GetValueOrDefault(role) ?? [];
        var now = _seconds.GetValueOrDefault(role) ?? [];
        return (now.Sum(p => p.Value - before.GetValueOrDefault(p.Key)), now.Count);
    }
}
