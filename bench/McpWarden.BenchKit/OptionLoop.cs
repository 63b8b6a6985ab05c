namespace McpWarden.BenchKit;

/// <summary>
/// The command-line loop every bench command shares: <c>-h</c>/<c>--help</c>, flags that take no value, and
/// options that take the next argument. Each command says only what its names mean.
/// </summary>
public static class OptionLoop
{
    /// <summary>Applies <paramref name="args"/> to <paramref name="options"/>; null and an error (empty for --help) when they do not parse.</summary>
    /// <param name="flag">The options with a flag applied, or null when the name is not one of the command's flags.</param>
    /// <param name="option">The options with a named value applied; throws <see cref="FormatException"/> saying what is wrong.</param>
    public static T? Parse<T>(IReadOnlyList<string> args, T options, Func<T, string, T?> flag, Func<T, string, string, T> option, out string? error)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(flag);
        ArgumentNullException.ThrowIfNull(option);
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                error = "";
                return null;
            }

            if (flag(options, name) is { } flagged)
            {
                options = flagged;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return null;
            }

            try
            {
                options = option(options, name, args[++i]);
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        return options;
    }

    /// <summary>For a command without flags.</summary>
    public static T? NoFlag<T>(T options, string name)
        where T : class => null;
}
