using McpWarden.BenchKit;

namespace McpWarden.Load.HotPath;

/// <summary>
/// One way of reaching the fixture's tool (directly, or through a gateway): its session, the processes whose CPU
/// time it spends, and what its calls measured.
/// </summary>
internal sealed class HotPathTarget(string name, McpHttpSession session, IReadOnlyList<int> processes)
{
    public string Name { get; } = name;

    public McpHttpSession Session { get; } = session;

    /// <summary>The processes on the path (the fixture, and the gateway when there is one).</summary>
    public IReadOnlyList<int> Processes { get; } = processes;

    /// <summary>Each measured call's round trip, in milliseconds.</summary>
    public List<double> Latencies { get; } = [];

    /// <summary>CPU seconds each process spent during this target's blocks, in the order of <see cref="Processes"/>.</summary>
    public double[] CpuSeconds { get; } = new double[processes.Count];
}
