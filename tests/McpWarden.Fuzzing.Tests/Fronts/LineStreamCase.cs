using System.Text;
using FsCheck;
using FsCheck.Fluent;
using McpWarden.Fuzzing.Tests.Generators;

namespace McpWarden.Fuzzing.Tests.Fronts;

/// <summary>A stream of generated lines for the stdio front: messages, blank and whitespace lines, lines around the limit, CRLF or LF, cut into reads of random sizes.</summary>
internal sealed record LineStreamCase(byte[] Stream, int MaxBytes, IReadOnlyList<int> ReadSizes, IReadOnlyList<string> Parts)
{
    public override string ToString() =>
        $"limit {MaxBytes} bytes, reads of [{string.Join(",", ReadSizes)}] bytes, lines:\n  {string.Join("\n  ", Parts)}\n  stream ({Stream.Length} bytes): {Printable.Of(Stream, 4000)}";

    /// <summary>Streams whose lines are mutated MCP messages, raw bytes, blanks, and lines just under, at and over <paramref name="limits"/>.</summary>
    public static Gen<LineStreamCase> Generate(Gen<int> limits, int maxLines) =>
        from limit in limits
        from count in Gen.Choose(0, maxLines)
        from lines in Line(limit).ListOf(count)
        from crlf in Gen.Elements(false, true)
        from trailing in Gen.Elements(true, true, false)
        from readSizes in Gen.Frequency((3, Gen.Choose(1, 16)), (3, Gen.Choose(17, 4096)), (1, Gen.Choose(4097, 200_000))).NonEmptyListOf()
        let separator = crlf ? "\r\n"u8.ToArray() : "\n"u8.ToArray()
        let stream = lines.SelectMany((l, i) => i < lines.Count - 1 || trailing ? l.Bytes.Concat(separator) : l.Bytes).ToArray()
        select new LineStreamCase(stream, limit, readSizes.Take(8).ToList(), lines.Select(l => l.Description).ToList());

    /// <summary>Lines around a limit larger than this are left out: megabytes of x read a few bytes at a time teach nothing new.</summary>
    private const int LargestLimitToReach = 200_000;

    private static Gen<(byte[] Bytes, string Description)> Line(int limit) => Gen.Frequency(
        (8, FuzzGen.Cases(SeedCorpus.McpMessages).Select(c => (c.Bytes, c.ToString().Split('\n')[0] + " …"))),
        (1, Gen.Elements("", " ", "\t", " \t ", "\r", "\r\r", "\u00a0").Select(s => (Encoding.UTF8.GetBytes(s), $"blank {Printable.Of(s, 10)}"))),
        (limit <= LargestLimitToReach ? 1 : 0, Gen.Choose(-2, 2).Select(delta => Math.Max(0, limit + delta)).Select(n => (Enumerable.Repeat((byte)'x', n).ToArray(), $"{n} bytes of x"))));
}
