using System.Diagnostics;
using System.Globalization;

namespace McpWarden.Gateway.Approvals;

/// <summary>
/// Names this gateway process (<c>host/pid/start</c>) as the owner of the calls it holds, so that a
/// gateway starting later on the same store can tell which pending approvals lost their process.
/// </summary>
public static class GatewayInstance
{
    /// <summary>This process.</summary>
    public static string Current { get; } = Describe(Environment.MachineName, Environment.ProcessId, StartTicks(Process.GetCurrentProcess()));

    /// <summary>
    /// Whether the owner is still running. An owner on another machine is presumed alive (this process cannot
    /// see it; its approvals end by their expiry); on this machine, by its pid and start time (a reused pid is not mistaken for it).
    /// </summary>
    public static bool IsAlive(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var parts = owner.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        if (!string.Equals(parts[0], Environment.MachineName, StringComparison.Ordinal))
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            // Each process computes another's start time for itself, a few milliseconds apart (on Linux, from
            // boot time and clock ticks): a second's tolerance still tells a reused pid from the owner.
            return !process.HasExited
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var recorded)
                && Math.Abs(StartTicks(process) - recorded) < TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Describe(string machine, int pid, long startTicks) =>
        string.Create(CultureInfo.InvariantCulture, $"{machine}/{pid}/{startTicks}");

    private static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;
}
