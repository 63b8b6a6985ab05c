using System.Text;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using Xunit;

namespace McpWarden.Policy.Tests.Json;

public sealed class SourceDocumentTests
{
    [Fact]
    public void PositionOf_NestedValuesAndNames_AreOneBasedLineAndColumn()
    {
        using var document = SourceDocument.Parse("p.json", "{\n  \"tools\": {\n    \"pay\": { \"action\": \"deny\" }\n  }\n}");
        Assert.Equal(new SourcePosition(3, 24), document.PositionOf("/tools/pay/action"));
        Assert.Equal(new SourcePosition(3, 14), document.PositionOfName("/tools/pay/action"));
        Assert.Equal(new SourcePosition(3, 5), document.PositionOfName("/tools/pay"));
    }

    [Fact]
    public void PositionOf_MissingPath_FallsBackToTheNearestParent()
    {
        using var document = SourceDocument.Parse("p.json", "{\"tools\": {\"pay\": {}}}");
        Assert.Equal(document.PositionOf("/tools/pay"), document.PositionOf("/tools/pay/limits/0"));
    }

    [Fact]
    public void PositionOf_ColumnsCountCharactersNotBytes()
    {
        using var document = SourceDocument.Parse("p.json", "{\"ñandú\": 1, \"x\": 2}");
        Assert.Equal(new SourcePosition(1, 19), document.PositionOf("/x"));
    }

    [Fact]
    public void Parse_DuplicateKeys_AreReportedAtEveryLevel()
    {
        using var document = SourceDocument.Parse("p.json", "{\"a\": 1, \"b\": {\"c\": 1, \"c\": 2}, \"a\": 3}");
        var paths = document.Diagnostics.Where(d => d.Code == DiagnosticCodes.DuplicateKey).Select(d => d.Path).ToArray();
        Assert.Equal(["/b/c", "/a"], paths);
        Assert.NotNull(document.Root);
    }

    [Fact]
    public void Parse_InvalidUtf8_IsReportedWithItsPosition()
    {
        var bytes = Encoding.UTF8.GetBytes("{\n  \"a\": \"x").Concat(new byte[] { 0xFF }).Concat(Encoding.UTF8.GetBytes("\"\n}")).ToArray();
        using var document = SourceDocument.Parse("p.json", bytes);
        var diagnostic = Assert.Single(document.Diagnostics);
        Assert.Equal(DiagnosticCodes.InvalidUtf8, diagnostic.Code);
        Assert.Equal(2, diagnostic.Position.Line);
        Assert.Null(document.Root);
    }

    [Fact]
    public void Parse_SyntaxError_NamesLineAndColumn()
    {
        using var document = SourceDocument.Parse("p.json", "{\n  \"a\": 1,\n  \"b\": tru\n}");
        var diagnostic = Assert.Single(document.Diagnostics);
        Assert.Equal(DiagnosticCodes.InvalidJson, diagnostic.Code);
        Assert.Equal(3, diagnostic.Position.Line);
    }

    [Trait("Security", "fuzzing")]
    [Theory]
    [InlineData("t\"f8u+\n0]-ff{l79r\r9l\"fs4]}a\n5,")]
    [InlineData("nul\u001b[31m\u202eevil")]
    public void Parse_InvalidLiteral_MessageStaysOneEscapedLine(string text)
    {
        // Found by the fuzzer: the reader quotes an invalid literal raw, so a newline or an escape sequence in
        // it broke the one-line output of `mcpwarden check` and the gateway's log of refused messages.
        using var document = SourceDocument.Parse("p.json", text);

        var diagnostic = Assert.Single(document.Diagnostics);
        Assert.Equal(DiagnosticCodes.InvalidJson, diagnostic.Code);
        Assert.DoesNotContain(diagnostic.Message, c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        Assert.Matches(@"\\u00(0a|1b)", diagnostic.Message);
    }

    [Trait("Security", "fuzzing")]
    [Fact]
    public void Parse_LongInvalidLiteral_IsNotEchoedWhole()
    {
        using var document = SourceDocument.Parse("p.json", "t" + new string('x', 100_000));

        var diagnostic = Assert.Single(document.Diagnostics);
        Assert.Equal(DiagnosticCodes.InvalidJson, diagnostic.Code);
        Assert.True(diagnostic.Message.Length < 300, $"the message is {diagnostic.Message.Length} characters long");
    }

    [Trait("Security", "fuzzing")]
    [Fact]
    public void Load_PathTooLong_IsADiagnosticThatDoesNotEchoItWhole()
    {
        // Found by the fuzzer: the system's message quotes the whole path, here 100,000 characters.
        using var document = SourceDocument.Load("/tmp/" + new string('e', 100_000) + ".json", "long.json");

        var diagnostic = Assert.Single(document.Diagnostics);
        Assert.Equal(DiagnosticCodes.UnreadableFile, diagnostic.Code);
        Assert.True(diagnostic.Message.Length < 300, $"the message is {diagnostic.Message.Length} characters long");
    }

    [Trait("Security", "fuzzing")]
    [Fact]
    public void Load_DeviceWithoutEnd_IsRefusedAsTooLargeWithoutReadingItAll()
    {
        // Found by the fuzzer: a device reports a length of 0, so the size check passed and the whole of
        // /dev/zero was read into memory until the runtime gave up.
        Assert.SkipUnless(File.Exists("/dev/zero"), "this system has no /dev/zero");
        using var document = SourceDocument.Load("/dev/zero");

        Assert.Equal(DiagnosticCodes.TooLarge, Assert.Single(document.Diagnostics).Code);
    }

    [Fact]
    public void Parse_ByteOrderMark_IsAccepted()
    {
        var bytes = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes("{\"a\": 1}")).ToArray();
        using var document = SourceDocument.Parse("p.json", bytes);
        Assert.Empty(document.Diagnostics);
        Assert.Equal(new SourcePosition(1, 7), document.PositionOf("/a"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    public void Parse_Empty_IsReported(string text)
    {
        using var document = SourceDocument.Parse("p.json", text);
        Assert.Equal(DiagnosticCodes.EmptyDocument, Assert.Single(document.Diagnostics).Code);
    }

    [Fact]
    public void Parse_DeeperThanTheLimit_IsRefusedWithoutCrashing()
    {
        var text = new string('[', 10_000) + new string(']', 10_000);
        using var document = SourceDocument.Parse("p.json", text);
        Assert.Equal(DiagnosticCodes.TooDeep, Assert.Single(document.Diagnostics).Code);
        Assert.Null(document.Root);
    }

    [Fact]
    public void Parse_Comments_AreNotJson()
    {
        using var document = SourceDocument.Parse("p.json", "{ // note\n \"a\": 1 }");
        Assert.Equal(DiagnosticCodes.InvalidJson, Assert.Single(document.Diagnostics).Code);
    }

    [Fact]
    public void Load_MissingFile_IsADiagnosticNotAnException()
    {
        using var document = SourceDocument.Load("/nonexistent/policy.json");
        Assert.Equal(DiagnosticCodes.UnreadableFile, Assert.Single(document.Diagnostics).Code);
    }

    [Theory]
    [InlineData("{\"tools\": {\"\\ud800\": {}}}", "/tools")]
    [InlineData("{\"tools\": {\"t\": {\"reason\": \"\\udc00x\"}}}", "/tools/t/reason")]
    public void Parse_UnpairedSurrogateEscape_IsADiagnosticNotACrash(string text, string path)
    {
        using var document = SourceDocument.Parse("p.json", text);
        var diagnostic = Assert.Single(document.Diagnostics);
        Assert.Equal((DiagnosticCodes.InvalidUtf8, path), (diagnostic.Code, diagnostic.Path));
        Assert.Null(document.Root);
    }

    [Fact]
    public void Parse_LongKeyAboveManyValues_IndexesWithoutCopyingTheKeyIntoEveryPath()
    {
        // A million-character key above 200,000 values: a path string per value would need hundreds of GB.
        var key = new string('a', 1_000_000);
        var text = "{\"version\":\"1\",\"tools\":{\"" + key + "\":{\"limits\":[" + string.Join(',', Enumerable.Repeat("0", 200_000)) + "]}}}";
        using var document = SourceDocument.Parse("p.json", text);
        Assert.Empty(document.Diagnostics);
        Assert.Equal(new SourcePosition(1, text.LastIndexOf('0') + 1), document.PositionOf("/tools/" + key + "/limits/199999"));

        var result = PolicyLoader.Load(document);
        Assert.Contains(result.Diagnostics, d => d.Code == DiagnosticCodes.InvalidToolPattern && d.Message.Contains("longer than 256", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TooLarge_IsRefusedBeforeParsing()
    {
        var bytes = new byte[SourceDocument.MaxBytes + 1];
        Array.Fill(bytes, (byte)' ');
        using var document = SourceDocument.Parse("p.json", bytes);
        Assert.Equal(DiagnosticCodes.TooLarge, Assert.Single(document.Diagnostics).Code);
    }
}
