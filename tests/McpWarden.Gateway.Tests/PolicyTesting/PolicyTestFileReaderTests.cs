using McpWarden.Gateway.PolicyTesting;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using Xunit;

namespace McpWarden.Gateway.Tests.PolicyTesting;

public sealed class PolicyTestFileReaderTests
{
    private static (PolicyTestFile? File, List<Diagnostic> Diagnostics) Read(string json)
    {
        using var document = SourceDocument.Parse("case.test.json", json);
        var diagnostics = new List<Diagnostic>();
        return (PolicyTestFileReader.Read(document, "case.test.json", diagnostics), diagnostics);
    }

    [Fact]
    public void Read_MisspeltExpectation_IsAnErrorNotASilentPass()
    {
        var (file, diagnostics) = Read("""{"policy":{"version":"1"},"cases":[{"name":"n","steps":[{"call":"t","expect":"deny","cdoe":"default_deny"}]}]}""");
        Assert.Null(file);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticCodes.UnknownField, diagnostic.Code);
        Assert.Equal("/cases/0/steps/0/cdoe", diagnostic.Path);
        Assert.Contains("did you mean \"code\"", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StepWithoutExpect_IsAnError()
    {
        var (file, diagnostics) = Read("""{"policy":{"version":"1"},"cases":[{"name":"n","steps":[{"call":"t"}]}]}""");
        Assert.Null(file);
        Assert.Contains(diagnostics, d => d.Code == DiagnosticCodes.MissingField && d.Path == "/cases/0/steps/0");
    }

    [Theory]
    [InlineData("\"500ms\"", 0.5)]
    [InlineData("\"30s\"", 30)]
    [InlineData("\"5m\"", 300)]
    [InlineData("\"2h\"", 7200)]
    [InlineData("\"1d\"", 86400)]
    [InlineData("12.5", 12.5)]
    public void ParseDuration_EveryForm_ReadsSeconds(string json, double seconds)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(TimeSpan.FromSeconds(seconds), PolicyTestFileReader.ParseDuration(document.RootElement));
    }

    [Theory]
    [InlineData("\"5x\"")]
    [InlineData("\"s\"")]
    [InlineData("\"-5s\"")]
    [InlineData("-1")]
    [InlineData("true")]
    public void ParseDuration_Nonsense_IsRefused(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Null(PolicyTestFileReader.ParseDuration(document.RootElement));
    }

    [Fact]
    public void Read_Defaults_AreThoseOfTheInterface()
    {
        var (file, diagnostics) = Read("""{"policy":"p.json","cases":[{"name":"n","steps":[{"call":"t","expect":"allow"}]}]}""");
        Assert.Empty(diagnostics);
        var step = Assert.IsType<CallStep>(Assert.Single(Assert.Single(file!.Cases).Steps));
        Assert.Equal(("default", "s1", 1), (step.Grant, step.Session, step.Repeat));
        Assert.Equal(System.Text.Json.JsonValueKind.Object, step.Arguments.ValueKind);
    }

    [Theory]
    [InlineData("""{"policy":"p.json","expectDiagnostics":[{"code":"MW1001"}],"cases":[{"name":"n","steps":[{"call":"t","expect":"allow"}]}]}""", "/cases")]
    [InlineData("""{"policy":"p.json","expectDiagnostics":[]}""", "/expectDiagnostics")]
    [InlineData("""{"policy":"p.json","cases":[]}""", "/cases")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[]}]}""", "/cases/0")]
    [InlineData("""{"policy":"p.json","expectDiagnostics":[{"code":"MW1001","line":"3"}]}""", "/expectDiagnostics/0/line")]
    [InlineData("""{"policy":"p.json","expectDiagnostics":[{"code":"MW1001","column":2.5}]}""", "/expectDiagnostics/0/column")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[{"call":"t","expect":"deny","retryAfter":1e400}]}]}""", "/cases/0/steps/0/retryAfter")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[{"advance":1e300}]}]}""", "/cases/0/steps/0/advance")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[{"advance":"99999999999999d"}]}]}""", "/cases/0/steps/0/advance")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[{"call":"t","expect":"deny","repeat":{"a":1}}]}]}""", "/cases/0/steps/0/repeat")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[{"call":"t","expect":"deny","repeat":"10"}]}]}""", "/cases/0/steps/0/repeat")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[{"call":"t","expect":"deny","retryAfter":"60"}]}]}""", "/cases/0/steps/0/retryAfter")]
    [InlineData("""{"policy":"p.json","cases":[{"name":"n","steps":[{"call":"t","expect":"deny","retryAfter":null}]}]}""", "/cases/0/steps/0/retryAfter")]
    [InlineData("""{"policy":"p\u0000.json","cases":[{"name":"n","steps":[{"call":"t","expect":"deny"}]}]}""", "/policy")]
    public void Read_ExpectationsThatCouldNeverFailOrCannotBeRead_AreErrors(string json, string path)
    {
        var (file, diagnostics) = Read(json);
        Assert.Null(file);
        Assert.Contains(diagnostics, d => d.IsError && d.Path == path);
    }
}
