using System.Globalization;
using System.Text;
using McpWarden.Catalog.Classification;
using Xunit;

namespace McpWarden.Catalog.Tests.Classification;

/// <summary>
/// The classifier against the labelled set (tests/catalog/labelled): accuracy floors measured and set in
/// docs/catalog.md "Accuracy", and the safety rule that a dangerous tool is never rated below its label.
/// scripts/catalog-accuracy.sh runs this class and prints the report.
/// </summary>
public sealed class ClassifierAccuracyTests(ITestOutputHelper output)
{
    // Measured on the set as committed (see docs/catalog.md); a change that lowers either fails here.
    private const double CategoryFloor = 0.90;
    private const double RiskFloor = 0.90;

    private static readonly ToolCategory[] Dangerous = [ToolCategory.Financial, ToolCategory.Destructive, ToolCategory.Credentials, ToolCategory.Execute];

    // Tools labelled dangerous that the classifier is known to rate lower, each with the reason it is accepted.
    // Empty: every dangerous tool is rated at least at its label.
    private static readonly Dictionary<string, string> AcceptedUnderRatings = new(StringComparer.Ordinal);

    [Fact]
    public void LabelledSet_CategoryAndRiskAccuracy_AreAtLeastTheMeasuredFloors()
    {
        var results = Classified();
        var report = Report(results);
        output.WriteLine(report);
        var path = Environment.GetEnvironmentVariable("MCPWARDEN_ACCURACY_REPORT");
        if (!string.IsNullOrEmpty(path))
        {
            File.WriteAllText(path, report);
        }

        var categoryAccuracy = results.Count(r => r.Got.Category == r.Tool.Category) / (double)results.Count;
        var riskAccuracy = results.Count(r => r.Got.Risk == r.Tool.Risk) / (double)results.Count;
        Assert.True(results.Count >= 100, $"the labelled set has only {results.Count} tools");
        Assert.True(categoryAccuracy >= CategoryFloor, $"category accuracy {categoryAccuracy:P1} is below {CategoryFloor:P0}\n{report}");
        Assert.True(riskAccuracy >= RiskFloor, $"risk accuracy {riskAccuracy:P1} is below {RiskFloor:P0}\n{report}");
    }

    [Fact]
    public void LabelledSet_NoDangerousToolIsRatedBelowItsLabel()
    {
        var under = Classified()
            .Where(r => Dangerous.Contains(r.Tool.Category) && r.Got.Risk < r.Tool.Risk && !AcceptedUnderRatings.ContainsKey(Key(r.Tool)))
            .Select(r => $"{Key(r.Tool)}: labelled {CatalogNames.Of(r.Tool.Category)}/{CatalogNames.Of(r.Tool.Risk)}, rated {CatalogNames.Of(r.Got.Category)}/{CatalogNames.Of(r.Got.Risk)} — {r.Got.Rationale}")
            .ToList();

        Assert.True(under.Count == 0, "under-rated:\n" + string.Join("\n", under));
    }

    [Fact]
    public void LabelledSet_EveryRationaleQuotesItsEvidence()
    {
        foreach (var (tool, got) in Classified())
        {
            Assert.StartsWith("From ", got.Rationale, StringComparison.Ordinal);
            Assert.Contains("\"", got.Rationale, StringComparison.Ordinal);
            Assert.NotEmpty(got.Evidence);
            Assert.DoesNotContain('\n', got.Rationale);
            _ = tool;
        }
    }

    private static List<(LabelledTool Tool, ToolClassification Got)> Classified() =>
        [.. LabelledSet.Load().Select(t => (t, RiskClassifier.Classify(t.Tool, t.Server)))];

    private static string Key(LabelledTool tool) => $"{tool.Server.Name}/{tool.Tool.Name}";

    private static string Report(List<(LabelledTool Tool, ToolClassification Got)> results)
    {
        var text = new StringBuilder();
        var n = results.Count;
        var categoryHits = results.Count(r => r.Got.Category == r.Tool.Category);
        var riskHits = results.Count(r => r.Got.Risk == r.Tool.Risk);
        var under = results.Count(r => r.Got.Risk < r.Tool.Risk);
        text.AppendLine(CultureInfo.InvariantCulture, $"Labelled tools: {n} ({results.Select(r => r.Tool.File).Distinct().Count()} files)");
        text.AppendLine(CultureInfo.InvariantCulture, $"Category accuracy: {categoryHits}/{n} = {categoryHits / (double)n:P1}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Risk exact match:  {riskHits}/{n} = {riskHits / (double)n:P1}; rated below the label: {under}; above: {results.Count(r => r.Got.Risk > r.Tool.Risk)}");
        foreach (var file in results.GroupBy(r => r.Tool.File))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {file.Key}: category {file.Count(r => r.Got.Category == r.Tool.Category)}/{file.Count()}, risk {file.Count(r => r.Got.Risk == r.Tool.Risk)}/{file.Count()}");
        }

        text.AppendLine();
        text.AppendLine("Category confusion (rows: label, columns: classified)");
        var categories = Enum.GetValues<ToolCategory>();
        text.Append(CultureInfo.InvariantCulture, $"{"",-14}");
        foreach (var c in categories)
        {
            text.Append(CultureInfo.InvariantCulture, $"{CatalogNames.Of(c)[..Math.Min(5, CatalogNames.Of(c).Length)],6}");
        }

        text.AppendLine();
        foreach (var label in categories)
        {
            text.Append(CultureInfo.InvariantCulture, $"{CatalogNames.Of(label),-14}");
            foreach (var got in categories)
            {
                text.Append(CultureInfo.InvariantCulture, $"{results.Count(r => r.Tool.Category == label && r.Got.Category == got),6}");
            }

            text.AppendLine();
        }

        text.AppendLine();
        text.AppendLine("Risk confusion (rows: label, columns: classified)");
        var risks = Enum.GetValues<RiskLevel>();
        text.Append(CultureInfo.InvariantCulture, $"{"",-14}");
        foreach (var r in risks)
        {
            text.Append(CultureInfo.InvariantCulture, $"{CatalogNames.Of(r),9}");
        }

        text.AppendLine();
        foreach (var label in risks)
        {
            text.Append(CultureInfo.InvariantCulture, $"{CatalogNames.Of(label),-14}");
            foreach (var got in risks)
            {
                text.Append(CultureInfo.InvariantCulture, $"{results.Count(r => r.Tool.Risk == label && r.Got.Risk == got),9}");
            }

            text.AppendLine();
        }

        text.AppendLine();
        text.AppendLine("Misses (label -> classified):");
        foreach (var (tool, got) in results.Where(r => r.Got.Category != r.Tool.Category || r.Got.Risk != r.Tool.Risk))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Key(tool)}: {CatalogNames.Of(tool.Category)}/{CatalogNames.Of(tool.Risk)} -> {CatalogNames.Of(got.Category)}/{CatalogNames.Of(got.Risk)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"      {got.Rationale}");
        }

        return text.ToString();
    }
}
