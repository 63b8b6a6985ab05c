using System.Diagnostics;
using System.Globalization;

namespace McpWarden.Load.Measuring;

/// <summary>
/// What Linux says in <c>/proc</c>: a process's CPU time, its resident memory, its descendants, and how busy the
/// machine is. Every command reads them here, so a figure called "CPU" or "RSS" means the same in each table.
/// </summary>
internal static class ProcFs
{
    private static readonly Lazy<double> TicksPerSecond = new(ClockTicks);

    /// <summary>utime + stime of a process in seconds (its own threads: a child it started is not counted); null once it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        // "PID (COMM) STATE PPID ... UTIME STIME ...": COMM may hold spaces and parentheses, so fields are counted
        // after the last ')'; there STATE is the first field and utime, stime the 12th and 13th.
        var fields = StatFields(pid);
        return fields is null
            ? null
            : (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond.Value;
    }

    /// <summary><see cref="CpuSeconds"/> as a span of time.</summary>
    public static TimeSpan? CpuTime(int pid) => CpuSeconds(pid) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>
    /// Reads the clock tick now (it starts <c>getconf</c> once), so that the first CPU reading inside a timed span
    /// does not pay for a process start.
    /// </summary>
    public static void Prepare() => _ = TicksPerSecond.Value;

    /// <summary>VmHWM, the most resident memory the process ever had, in bytes; null once it is gone.</summary>
    public static long? PeakRssBytes(int pid) => StatusKiB(pid, "VmHWM:") * 1024;

    /// <summary>
    /// The numbers of <c>/proc/PID/status</c> lines, by their name with its colon ("VmRSS:", "RssAnon:", "Threads:"),
    /// in the unit the kernel gives (kB for memory); null once the process is gone or if it has no such line.
    /// </summary>
    public static long? StatusKiB(int pid, string field) => StatusFields(pid, [field])?[0];

    /// <summary>Several lines of <c>/proc/PID/status</c> from one reading, in the order asked; null once the process is gone.</summary>
    public static long?[]? StatusFields(int pid, IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var values = new long?[fields.Count];
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                // "VmHWM:	  123456 kB", "Threads:	27"
                for (var i = 0; i < fields.Count; i++)
                {
                    if (line.StartsWith(fields[i], StringComparison.Ordinal))
                    {
                        values[i] = long.Parse(line.AsSpan(fields[i].Length).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return values;
    }

    /// <summary>The first three figures of <c>/proc/loadavg</c> ("0.52 0.61 0.70"), or "unknown": how busy the machine was around a run.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>Every live descendant of a process (children, their children…), found through each process's parent id.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && StatFields(id) is { } fields)
            {
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(id);
            }
        }

        var found = new List<int>();
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var next))
        {
            foreach (var child in children.GetValueOrDefault(next) ?? [])
            {
                found.Add(child);
                pending.Enqueue(child);
            }
        }

        return found;
    }

    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var end = text.LastIndexOf(')');
        return end < 0 ? null : text[(end + 2)..].Split(' ');
    }

    /// <summary>The kernel's clock ticks per second (USER_HZ), in which /proc gives CPU times; 100 on every usual Linux.</summary>
    private static double ClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}
