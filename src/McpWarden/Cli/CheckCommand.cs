using McpWarden.Gateway.Configuration;
using McpWarden.Policy;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden check FILE...</c>: every diagnostic of every file, one per line; exit 1 when any file is
/// invalid. A file with <c>mcpServers</c> is a configuration (its policies are checked with it); any other
/// file is a policy.
/// </summary>
internal static class CheckCommand
{
    public static int Run(IReadOnlyList<string> paths, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        var files = InputFiles.Documents(paths);
        if (files.Count == 0)
        {
            error.WriteLine("check: no policy or configuration files found");
            return ExitCodes.Invalid;
        }

        var invalid = 0;
        foreach (var file in files)
        {
            var diagnostics = Check(file, environment);
            foreach (var diagnostic in diagnostics)
            {
                output.WriteLine(diagnostic);
            }

            invalid += diagnostics.Any(d => d.IsError) ? 1 : 0;
        }

        error.WriteLine(invalid == 0 ? $"check: {files.Count} valid" : $"check: {invalid} of {files.Count} invalid");
        return invalid == 0 ? ExitCodes.Success : ExitCodes.Invalid;
    }

    private static IReadOnlyList<Diagnostic> Check(string file, Func<string, string?> environment)
    {
        using var document = SourceDocument.Load(file);
        return document.Root is { } root && ConfigurationLoader.IsConfiguration(root)
            ? ConfigurationLoader.Load(document, Path.GetFullPath(file), environment).Diagnostics
            : PolicyLoader.Load(document).Diagnostics;
    }
}
