using McpWarden.Policy;

namespace McpWarden.Cli;

/// <summary><c>mcpwarden check FILE...</c>: every diagnostic of every file, one per line; exit 1 when any file is invalid.</summary>
internal static class CheckCommand
{
    public static int Run(IReadOnlyList<string> paths, TextWriter output, TextWriter error)
    {
        var files = InputFiles.Documents(paths);
        if (files.Count == 0)
        {
            error.WriteLine("check: no policy files found");
            return ExitCodes.Invalid;
        }

        var invalid = 0;
        foreach (var file in files)
        {
            var result = PolicyLoader.LoadFile(file);
            foreach (var diagnostic in result.Diagnostics)
            {
                output.WriteLine(diagnostic);
            }

            invalid += result.Succeeded ? 0 : 1;
        }

        error.WriteLine(invalid == 0 ? $"check: {files.Count} valid" : $"check: {invalid} of {files.Count} invalid");
        return invalid == 0 ? ExitCodes.Success : ExitCodes.Invalid;
    }
}
