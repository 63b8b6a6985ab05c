namespace McpWarden.Gateway.Upstreams;

/// <summary>
/// The environment a server process starts with: a few variables any program needs to run, copied from the
/// gateway's own environment, and then the server's configured <c>env</c>. Nothing else is inherited, so
/// the gateway's secrets (its admin token, other servers' credentials) never reach a server.
/// </summary>
internal static class SafeEnvironment
{
    /// <summary>What a process gets from the gateway's environment, when set: locating programs, locale, time zone, temp and home directories.</summary>
    public static IReadOnlyList<string> InheritedNames { get; } =
    [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TEMP", "TMP",
        "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA", "USERPROFILE",
    ];

    /// <summary>The base variables from <paramref name="gateway"/>, overlaid with <paramref name="configured"/>.</summary>
    public static Dictionary<string, string?> For(IReadOnlyDictionary<string, string> configured, Func<string, string?> gateway)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(gateway);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in InheritedNames)
        {
            if (gateway(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in configured)
        {
            environment[name] = value;
        }

        return environment;
    }
}
