using System.Runtime.InteropServices;

namespace McpWarden.Reload;

/// <summary>
/// Makes SIGHUP reach the gateway's reload handler when the process was started with it ignored
/// (<c>nohup</c>, a supervisor or test runner that ignores it): the runtime respects an inherited SIG_IGN
/// and then never calls a registered handler, so <c>kill -HUP</c> would silently do nothing.
/// </summary>
/// <remarks>
/// The gateway never ends on SIGHUP (its handler cancels the default action), so what <c>nohup</c> is
/// for, surviving a hang-up, still holds. Linux only: the disposition is read from /proc, exactly, and a
/// handler the process already has (the runtime's own, from an earlier registration) is never touched.
/// </remarks>
internal static class HangupDisposition
{
    private const int SigHup = 1;
    private const nint SigDfl = 0;

    /// <summary>
    /// Resets SIGHUP from ignored to the default, just before a handler is registered for it (the runtime reads
    /// the disposition when it installs its handler). True when it was ignored and has been reset.
    /// </summary>
    public static bool UndoInheritedIgnore()
    {
        if (!OperatingSystem.IsLinux() || !IsIgnored())
        {
            return false;
        }

        try
        {
            // INVARIANT: the caller registers its handler right after; until then a hang-up would end the process,
            // a window of microseconds at start-up.
            _ = Signal(SigHup, SigDfl);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library that cannot be called: SIGHUP stays ignored, as the runtime alone would leave it.
            return false;
        }
    }

    /// <summary>Whether this process ignores SIGHUP: bit 0 of the SigIgn mask in /proc/self/status; false when that cannot be read.</summary>
    private static bool IsIgnored()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                {
                    var mask = ulong.Parse(line.AsSpan("SigIgn:".Length).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                    return (mask & (1UL << (SigHup - 1))) != 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // /proc hidden or unlike Linux's: the gateway starts as it would have, with SIGHUP as it found it.
        }

        return false;
    }

    // Blittable arguments only, so no marshalling code is generated (a LibraryImport would need unsafe code).
    [DllImport("libc", EntryPoint = "signal")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint Signal(int signal, nint handler);
}
