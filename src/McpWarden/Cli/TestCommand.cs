using McpWarden.Gateway.PolicyTesting;

namespace McpWarden.Cli;

/// <summary><c>mcpwarden test PATH...</c>: one line per case, then <c>N passed, M failed</c>.</summary>
internal static class TestCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> paths, TextWriter output, CancellationToken cancellationToken)
    {
        var files = InputFiles.Tests(paths);
        var (passed, failed) = (0, 0);
        foreach (var file in files)
        {
            var result = await PolicyTestRunner.RunFileAsync(file, cancellationToken).ConfigureAwait(false);
            foreach (var diagnostic in result.Diagnostics)
            {
                output.WriteLine(diagnostic);
            }

            foreach (var testCase in result.Cases)
            {
                output.WriteLine(testCase.Passed
                    ? $"PASS {result.Path}: {testCase.Name}"
                    : $"FAIL {result.Path}: {testCase.Name}: {testCase.Failure}");
            }

            passed += result.Passed;
            failed += result.Failed;
        }

        // A run that found nothing to test must not look like a green one.
        if (files.Count == 0)
        {
            output.WriteLine("no *.test.json files found");
            failed++;
        }

        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? ExitCodes.Success : ExitCodes.Invalid;
    }
}
