using System.Globalization;

namespace McpWarden.Load.HotPath;

/// <summary>A process's CPU time so far (user and system), read from <c>/proc/PID/stat</c>.</summary>
internal static class ProcessCpu
{
    /// <summary>USER_HZ: the unit of the times in <c>/proc/PID/stat</c> on Linux.</summary>
    private const double TicksPerSecond = 100;

    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the line, so 12 and 13 counted from the state (field 3).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
