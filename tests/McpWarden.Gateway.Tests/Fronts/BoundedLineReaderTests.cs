using System.Text;
using McpWarden.Gateway.Fronts;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts;

public sealed class BoundedLineReaderTests
{
    private static async Task<List<string>> ReadAll(string text, int maxBytes)
    {
        var reader = new BoundedLineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxBytes);
        var lines = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is ({ } line, var tooLong))
        {
            lines.Add(tooLong > 0 ? $"<{tooLong} skipped>" : Encoding.UTF8.GetString(line.Span));
        }

        return lines;
    }

    [Fact]
    public async Task Read_Lines_WithoutTheirEndings() =>
        Assert.Equal(["a", "bb", "", "ccc"], await ReadAll("a\nbb\r\n\nccc", 10));

    [Fact]
    public async Task Read_LineOverTheLimit_IsSkippedToItsEndAndReportedByLength() =>
        Assert.Equal(["ok", "<12 skipped>", "after"], await ReadAll("ok\n123456789012\nafter\n", 5));

    [Fact]
    public async Task Read_LineExactlyAtTheLimit_IsKept() =>
        Assert.Equal(["12345"], await ReadAll("12345\n", 5));

    [Fact]
    public async Task Read_LongLineAcrossManyChunks_IsSkippedWithoutBeingHeld()
    {
        var huge = new string('x', 300_000);
        Assert.Equal(["<300000 skipped>", "next"], await ReadAll(huge + "\nnext\n", 1024));
    }
}
