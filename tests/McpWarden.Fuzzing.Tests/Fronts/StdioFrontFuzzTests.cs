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
/// The session stands in for the server by answering each <c>initialize</c> at once, so the handshake's order
/// is part of the model: what comes before it (but ping) and a second one are refused.
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
        RecordingSession? session = null;
        var output = new MemoryStream();
        using var front = new StdioFront((_, toClient, _) => Task.FromResult<IRelaySession>(session = new RecordingSession(toClient)), NullLoggerFactory.Instance, input.MaxBytes);
        using var timeout = new CancellationTokenSource(SessionCeiling);
        var run = front.RunAsync(new ChunkedStream(input.Stream, input.ReadSizes), output, timeout.Token);
        Assert.True(run.Wait(SessionCeiling), "the front did not finish the session");
        Assert.True(session is { Started: true, Disposed: true }, "the front did not start and close its session");

        // The model: each line the framing yields is skipped when blank, refused when too long or when the screen refuses it, forwarded otherwise.
        var forwarded = new List<string>();
        var frames = new List<(string Frame, byte[] Line)>();
        var handshake = new StdioHandshake();
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
            error ??= handshake.Refusal(message!);
            if (error is not null)
            {
                frames.Add((error.ToJsonString(), line));
            }
            else
            {
                forwarded.Add(JsonSerializer.Serialize(message!, McpJson.Message));
                if (RecordingSession.AnswerTo(message!) is { } answer)
                {
                    handshake.Observe(answer);
                }
            }
        }

        Assert.Equal(forwarded, session!.Received.Select(m => JsonSerializer.Serialize(m, McpJson.Message)));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.True(lines[^1].Length == 0, "the front's output does not end with a newline");

        // The session's answers travel through the front's feed, so they may come between error frames: they are counted, not placed.
        var answers = lines[..^1].Count(l => JsonNode.Parse(l) is JsonObject o && o.ContainsKey("result"));
        Assert.Equal(session.Answered, answers);
        var written = lines[..^1].Where(l => !(JsonNode.Parse(l) is JsonObject o && o.ContainsKey("result"))).ToArray();
        Assert.Equal(frames.Count, written.Length);
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = Assert.IsType<JsonObject>(JsonNode.Parse(written[i]));
            ErrorFrameChecks.Check(frame, frames[i].Line);
            Assert.Equal(JsonNode.Parse(frames[i].Frame)!.ToJsonString(), frame.ToJsonString());
        }

        return frames.Count == 0 ? Outcome.Accepted : Outcome.Refused;
    }

    /// <summary>The next layer, reduced to what the front hands it, and to answering <c>initialize</c>.</summary>
    private sealed class RecordingSession(Func<JsonRpcMessage, Task> toClient) : IRelaySession
    {
        public List<JsonRpcMessage> Received { get; } = [];

        public int Answered { get; private set; }

        public bool Started { get; private set; }

        public bool Disposed { get; private set; }

        public void Start() => Started = true;

        /// <summary>What a server answers at once: an empty result to <c>initialize</c>; nothing else.</summary>
        public static JsonRpcResponse? AnswerTo(JsonRpcMessage message) =>
            message is JsonRpcRequest { Method: RequestMethods.Initialize } request ? new JsonRpcResponse { Id = request.Id, Result = new JsonObject() } : null;

        public async Task FromClientAsync(JsonRpcMessage message)
        {
            Received.Add(message);
            if (AnswerTo(message) is { } answer)
            {
                Answered++;
                await toClient(answer).ConfigureAwait(false);
            }
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
