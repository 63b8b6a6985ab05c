using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck.Fluent;
using McpWarden.Gateway;
using McpWarden.Gateway.Fronts;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Fuzzing.Tests.Fronts;

/// <summary>
/// The stdio front in process, over generated sessions: every line of a hostile client is answered once
/// (forwarded, refused with an error frame, or skipped when blank) and the front keeps serving to the end.
/// </summary>
[Trait("Security", "fuzzing")]
public sealed class StdioFrontFuzzTests
{
    /// <summary>A session must end far sooner; a hang is reported with the session that caused it.</summary>
    private static readonly TimeSpan SessionCeiling = TimeSpan.FromSeconds(10);

    [Fact(Timeout = FuzzRun.FactTimeoutMilliseconds)]
    public async Task RunAsync_GeneratedSessions_AnswerEveryLineOnceAndKeepServing()
    {
        var limits = Gen.Frequency((4, Gen.Constant(MessageScreening.DefaultMaxMessageBytes)), (1, Gen.Choose(64, 2_000)));
        var generator = LineStreamCase.Generate(limits, maxLines: 20);

        var tally = await FuzzRun.CheckAsync("stdio front", generator, Serve, FuzzRun.Cases(costPerCase: 10));

        tally.ShouldHaveAcceptedAndRefused();
    }

    private static Outcome Serve(LineStreamCase input)
    {
        var session = new RecordingSession();
        var output = new MemoryStream();
        using var front = new StdioFront((_, _, _) => Task.FromResult<IRelaySession>(session), NullLoggerFactory.Instance, input.MaxBytes);
        using var timeout = new CancellationTokenSource(SessionCeiling);
        var run = front.RunAsync(new ChunkedStream(input.Stream, input.ReadSizes), output, timeout.Token);
        Assert.True(run.Wait(SessionCeiling), "the front did not finish the session");
        Assert.True(session.Started && session.Disposed, "the front did not start and close its session");

        // The model: each line the framing yields is skipped when blank, refused when too long or when the screen refuses it, forwarded otherwise.
        var forwarded = new List<string>();
        var frames = new List<(string Frame, byte[] Line)>();
        foreach (var (line, tooLong) in LineModel.Split(input.Stream, input.MaxBytes))
        {
            if (tooLong > 0)
            {
                frames.Add((MessageScreening.ErrorFrame(ModelContextProtocol.McpErrorCode.InvalidRequest, $"the message is {tooLong} bytes; the limit is {input.MaxBytes}").ToJsonString(), line));
                continue;
            }

            if (line.AsSpan().Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            var (message, error) = MessageScreening.Screen(line, input.MaxBytes);
            if (error is not null)
            {
                frames.Add((error.ToJsonString(), line));
            }
            else
            {
                forwarded.Add(JsonSerializer.Serialize(message!, McpJson.Message));
            }
        }

        Assert.Equal(forwarded, session.Received.Select(m => JsonSerializer.Serialize(m, McpJson.Message)));
        var written = Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.True(written[^1].Length == 0, "the front's output does not end with a newline");
        Assert.Equal(frames.Count, written.Length - 1);
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = Assert.IsType<JsonObject>(JsonNode.Parse(written[i]));
            ErrorFrameChecks.Check(frame, frames[i].Line);
            Assert.Equal(JsonNode.Parse(frames[i].Frame)!.ToJsonString(), frame.ToJsonString());
        }

        return frames.Count == 0 ? Outcome.Accepted : Outcome.Refused;
    }

    /// <summary>The next layer, reduced to what the front hands it.</summary>
    private sealed class RecordingSession : IRelaySession
    {
        public List<JsonRpcMessage> Received { get; } = [];

        public bool Started { get; private set; }

        public bool Disposed { get; private set; }

        public void Start() => Started = true;

        public Task FromClientAsync(JsonRpcMessage message)
        {
            Received.Add(message);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
