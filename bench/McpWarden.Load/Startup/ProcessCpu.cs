using System.Globalization;

namespace McpWarden.Load.Startup;

/// <summary>
/// The CPU time a running process has used, from <c>/proc/PID/stat</c> (its own threads only: a child it started
/// is not counted). Linux's clock tick is 10 ms, so one reading is coarse; medians over runs are not.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>USER_HZ: the unit of utime and stime, 100 on every Linux the project runs on.</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan? Of(int processId)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces: the fields are counted after its ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 after the name (state is field 3).
        return fields.Length > 12
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            ? TimeSpan.FromSeconds((user + system) / TicksPerSecond)
            : null;
    }
}
