using McpWarden.Gateway.Inventory;
using Xunit;

namespace McpWarden.Gateway.Tests.Inventory;

public sealed class InventoryTableTests
{
    [Fact]
    public void EveryToolHasARow_WithinAHundredAndTwentyColumns_AndItsRationaleBeneath()
    {
        var report = InventoryAssembler.Assemble(
            [InventoryAssemblerTests.Server("shop", """{ "version": "1", "default": "deny", "tools": { "read_orders": { "rate_limit": { "max": 100, "window": "minute" } } } }""")],
            [InventoryAssemblerTests.Probe("shop", InventoryAssemblerTests.Tool("read_orders"), InventoryAssemblerTests.Tool("trigger-long-running-operation"))],
            []);

        var lines = Write(report);

        Assert.StartsWith("SERVER", lines[0], StringComparison.Ordinal);
        Assert.All(lines, line => Assert.True(line.Length <= InventoryTable.Width, $"{line.Length} columns: {line}"));
        var read = Assert.Single(lines, l => l.StartsWith("shop", StringComparison.Ordinal) && l.Contains(" read_orders ", StringComparison.Ordinal));
        Assert.Contains("allow 100/min", read, StringComparison.Ordinal);
        Assert.EndsWith("sees", read, StringComparison.Ordinal);
        var other = Assert.Single(lines, l => l.Contains(" trigger-long-running-operation ", StringComparison.Ordinal));
        Assert.Contains("deny (default)", other, StringComparison.Ordinal);
        Assert.EndsWith("hidden", other, StringComparison.Ordinal);
        var rationale = report.Servers[0].Tools[0].Classification.Rationale;
        Assert.Equal("    " + rationale, lines[Array.IndexOf(lines, read) + 1]);
    }

    [Fact]
    public void AServerThatCouldNotBeListed_HasARowAndItsError()
    {
        var report = InventoryAssembler.Assemble([InventoryAssemblerTests.Server("gone", """{ "version": "1", "default": "deny", "tools": {} }""")], [ProbedServer.Failed("gone", "gone did not answer initialize within 2s")], []);

        var lines = Write(report);

        Assert.StartsWith("gone", lines[1], StringComparison.Ordinal);
        Assert.Equal("    not listed: gone did not answer initialize within 2s", lines[2]);
    }

    [Theory]
    [InlineData("a\u200Bb", "a\\u{200B}b")]
    [InlineData("evil\u202Etxt.exe", "evil\\u{202E}txt.exe")]
    [InlineData("line\nbreak\u001b[31m", "line\\u{000A}break\\u{001B}[31m")]
    [InlineData("tag\U000E0041", "tag\\u{E0041}")]
    [InlineData("café 🚀", "café 🚀")]
    public void ServerText_IsEscapedBeforeItReachesTheTerminal(string text, string shown) =>
        Assert.Equal(shown, InventoryTable.Safe(text));

    [Fact]
    public void ALongRationale_IsWrappedNotCut()
    {
        var words = string.Join(' ', Enumerable.Repeat("evidence", 40));
        var lines = new List<string>();
        var report = InventoryAssembler.Assemble(
            [InventoryAssemblerTests.Server("shop", """{ "version": "1", "default": "deny", "tools": {} }""")],
            [InventoryAssemblerTests.Probe("shop", InventoryAssemblerTests.Tool("t"))],
            []);
        var withLongRationale = report with
        {
            Servers = [report.Servers[0] with { Tools = [report.Servers[0].Tools[0] with { Classification = report.Servers[0].Tools[0].Classification with { Rationale = words } }] }],
        };

        var written = Write(withLongRationale);

        Assert.All(written, line => Assert.True(line.Length <= InventoryTable.Width));
        Assert.Equal(words, string.Join(' ', written.Skip(2).Select(l => l.Trim())));
    }

    private static string[] Write(InventoryReport report)
    {
        using var output = new StringWriter();
        InventoryTable.Write(report, output);
        return output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }
}
