using FsCheck.Fluent;
using McpWarden.Gateway.Fronts;
using Xunit;

namespace McpWarden.Fuzzing.Tests.Fronts;

/// <summary>Stdio framing against a plain model of it, over generated streams cut into reads of every size.</summary>
[Trait("Security", "fuzzing")]
public sealed class BoundedLineReaderFuzzTests
{
    [Fact(Timeout = FuzzRun.FactTimeoutMilliseconds)]
    public async Task ReadAsync_GeneratedStreams_YieldExactlyTheModelsLines()
    {
        var limits = Gen.Frequency((1, Gen.Choose(0, 4)), (2, Gen.Choose(5, 2_000)), (1, Gen.Elements(64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 100_000)));
        var generator = LineStreamCase.Generate(limits, maxLines: 12);

        var tally = await FuzzRun.CheckAsync("stdio framing", generator, ReadAndCompare, FuzzRun.Cases(costPerCase: 4));

        tally.ShouldHaveAcceptedAndRefused();
    }

    private static Outcome ReadAndCompare(LineStreamCase input)
    {
        var expected = LineModel.Split(input.Stream, input.MaxBytes);
        var reader = new BoundedLineReader(new ChunkedStream(input.Stream, input.ReadSizes), input.MaxBytes);
        var actual = new List<(byte[] Line, long TooLong)>();
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is ({ } line, var tooLong))
        {
            actual.Add((line.ToArray(), tooLong));
            Assert.True(actual.Count <= expected.Count + 1, "the reader yields more lines than the stream has");
        }

        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].TooLong == actual[i].TooLong, $"line {i}: too long by the model {expected[i].TooLong}, by the reader {actual[i].TooLong}");
            Assert.True(expected[i].Line.AsSpan().SequenceEqual(actual[i].Line), $"line {i} differs: model {Convert.ToHexString(expected[i].Line)}, reader {Convert.ToHexString(actual[i].Line)}");
        }

        return expected.Exists(l => l.TooLong > 0) ? Outcome.Refused : Outcome.Accepted;
    }
}
