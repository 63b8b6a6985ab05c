using System.Text.Json;
using FsCheck.Fluent;
using McpWarden.Fuzzing.Tests.Generators;
using McpWarden.Gateway;
using McpWarden.Gateway.Fronts;
using Xunit;

namespace McpWarden.Fuzzing.Tests.Fronts;

/// <summary>The first look at every client message, on both fronts: mutated MCP messages and raw bytes, under several size limits.</summary>
[Trait("Security", "fuzzing")]
public sealed class MessageScreeningFuzzTests
{
    [Fact(Timeout = FuzzRun.FactTimeoutMilliseconds)]
    public async Task Screen_GeneratedMessages_ForwardOrAnswerWithAJsonRpcError()
    {
        var limits = Gen.Frequency(
            (6, Gen.Constant(MessageScreening.DefaultMaxMessageBytes)),
            (1, Gen.Constant(1024)),
            (1, Gen.Choose(0, 400)));
        var generator = FuzzGen.Cases(SeedCorpus.McpMessages).Zip(limits, (input, limit) => new ScreeningCase(input, limit));

        var tally = await FuzzRun.CheckAsync("front-end parser", generator, ScreenAndCheck, FuzzRun.Cases());

        tally.ShouldHaveAcceptedAndRefused();
    }

    private static Outcome ScreenAndCheck(ScreeningCase input)
    {
        var bytes = input.Case.Bytes;
        var (message, error) = MessageScreening.Screen(bytes, input.MaxBytes);
        Assert.True(message is null != error is null, "the screen must give exactly one of a message and an error frame");
        if (error is not null)
        {
            ErrorFrameChecks.Check(error, bytes);
            Assert.True(!input.Case.IsUnchangedSeed || bytes.Length > input.MaxBytes, $"a valid seed was refused: {error.ToJsonString()}");
            return Outcome.Refused;
        }

        // What is forwarded is what a standard parser reads too (no parser differential), and the relay can write it.
        Assert.True(bytes.Length <= input.MaxBytes, $"a message of {bytes.Length} bytes passed a limit of {input.MaxBytes}");
        using (var standard = JsonDocument.Parse(bytes, StandardReader.Options))
        {
            Assert.Equal(JsonValueKind.Object, standard.RootElement.ValueKind);
        }

        _ = JsonSerializer.SerializeToUtf8Bytes(message!, McpJson.Message);
        return Outcome.Accepted;
    }

    internal sealed record ScreeningCase(FuzzCase Case, int MaxBytes)
    {
        public override string ToString() => $"limit {MaxBytes} bytes, {Case}";
    }
}
