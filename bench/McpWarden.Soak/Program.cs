using System.Globalization;
using System.Text.Json;
using McpWarden.Soak;

// The soak run: see docs/benchmarks.md (Soak). Exit 0 when every check held, 1 when one failed, 2 for a bad
// command line.
var options = SoakOptions.Parse(args, out var error);
if (options is null)
{
    await Console.Error.WriteLineAsync((string.IsNullOrEmpty(error) ? "" : "McpWarden.Soak: " + error + "\n") + SoakOptions.Usage);
    return string.IsNullOrEmpty(error) ? 0 : 2;
}

if (options.SelfTest)
{
    return SelfTest.Run(Console.Out);
}

var report = await SoakRun.RunAsync(options, Console.Out);
var text = SoakReportText.Format(report);
await Console.Out.WriteAsync(text);
if (options.ReportPath is { } path)
{
    await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, SoakRun.JsonOptions));
    await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"report: {path}"));
}

return report.Passed ? 0 : 1;
