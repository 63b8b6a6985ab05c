using System.Net;
using System.Text.Json;

using McpWarden.BenchKit;

namespace McpWarden.Soak;

/// <summary>
/// <c>--self-test</c>: the soak's own judgements on made-up inputs whose verdict is known, so that a check that
/// could never fail is noticed. The growth rule must pass a flat series with GC noise and a warm-up that levels
/// off, and fail a 3 MB/min leak; the limit check must find 26 calls in a 25-per-second window and not 25; the
/// classifier must flag a refused tool that ran, a rate limit without a retry-after, and an upstream failure
/// with no restart near it.
/// </summary>
internal static class SelfTest
{
    public static int Run(TextWriter output)
    {
        var random = new Random(7);
        var failures = 0;

        void Expect(string name, bool held)
        {
            output.WriteLine($"{(held ? "ok  " : "FAIL")} {name}");
            failures += held ? 0 : 1;
        }

        const double HalfHour = 1800;
        Expect("growth: flat 150 MB with ±15 MB of GC sawtooth over 30 min is bounded",
            !GrowthRule.Judge(Series(HalfHour, 10, t => 150 + Sawtooth(t, random)), HalfHour).Grew);
        Expect("growth: a warm-up that levels off after 4 min is bounded",
            !GrowthRule.Judge(Series(HalfHour, 10, t => 150 - (60 * Math.Exp(-t / 80)) + Sawtooth(t, random)), HalfHour).Grew);
        Expect("growth: a 3 MB/min leak under the same noise over 30 min is growing",
            GrowthRule.Judge(Series(HalfHour, 10, t => 150 + (3 * t / 60) + Sawtooth(t, random)), HalfHour).Grew);
        Expect("growth: a 60 s run still warming up (+25 MB/min, slowing) is bounded",
            !GrowthRule.Judge(Series(60, 1, t => 160 - (90 * Math.Exp(-t / 25))), 60).Grew);
        Expect("growth: a 60 s run leaking 120 MB/min is growing",
            GrowthRule.Judge(Series(60, 1, t => 150 + (2 * t)), 60).Grew);
        Expect("growth: too few samples is not judged",
            !GrowthRule.Judge(Series(60, 20, _ => 150), 60).Judged);

        var text = new CallPlan("test_simple_text", "test_simple_text", "{}", null, [SoakPolicy.TextGlobal], 0);
        Expect("limits: 25 text calls within one second hold the 25-per-second limit",
            LimitCheck.Run(Calls(text, 25)).Single(f => f.Counter == SoakPolicy.TextGlobal.Counter).Violations.Count == 0);
        Expect("limits: 26 text calls within one second break it",
            LimitCheck.Run(Calls(text, 26)).Single(f => f.Counter == SoakPolicy.TextGlobal.Counter).Violations.Count > 0);

        var delete = new CallPlan("delete_records", "delete_records", "{}", new ExpectedDenial("denied_by_rule", "/tools/delete_records", SoakPolicy.DeleteReason), [], 0);
        Expect("classifier: delete_records refused by its rule with its reason is a denial",
            OutcomeClassifier.Classify(delete, Reply("""{"result":{"isError":true,"content":[],"_meta":{"mcpwarden/policy":{"code":"denied_by_rule","rule":"/tools/delete_records","message":""" + JsonSerializer.Serialize(SoakPolicy.DeleteReason) + "}}}}"), false).Kind == "denied:denied_by_rule");
        Expect("classifier: delete_records that ran is unexpected",
            OutcomeClassifier.Classify(delete, Reply("""{"result":{"content":[{"type":"text","text":"delete_records called with {}"}]}}"""), false).Kind == Outcome.Unexpected);
        Expect("classifier: delete_records refused by default instead of its rule is unexpected",
            OutcomeClassifier.Classify(delete, Reply("""{"result":{"isError":true,"content":[],"_meta":{"mcpwarden/policy":{"code":"default_deny","rule":"/default","message":"no"}}}}"""), false).Kind == Outcome.Unexpected);
        Expect("classifier: rate_limited with its counter and a retry-after is rate_limited",
            OutcomeClassifier.Classify(text, Reply("""{"result":{"isError":true,"content":[],"_meta":{"mcpwarden/policy":{"code":"rate_limited","rule":"/tools/test_simple_text/limits/0","message":"counter \"text_global\" is full","retryAfterSeconds":0.4}}}}"""), false).Kind == Outcome.RateLimited);
        Expect("classifier: rate_limited without a retry-after is unexpected",
            OutcomeClassifier.Classify(text, Reply("""{"result":{"isError":true,"content":[],"_meta":{"mcpwarden/policy":{"code":"rate_limited","rule":"/tools/test_simple_text/limits/0","message":"counter \"text_global\" is full"}}}}"""), false).Kind == Outcome.Unexpected);
        Expect("classifier: an allowed call whose text is not the server's is unexpected",
            OutcomeClassifier.Classify(text, Reply("""{"result":{"content":[{"type":"text","text":"hello"}]}}"""), false).Kind == Outcome.Unexpected);
        var restarting = Reply("""{"error":{"code":-32603,"message":"the server payments is restarting; retry in 2 s"}}""");
        Expect("classifier: \"restarting\" during a restart is upstream_unavailable",
            OutcomeClassifier.Classify(text, restarting, true).Kind == Outcome.UpstreamUnavailable);
        Expect("classifier: \"restarting\" with no restart near is unexpected",
            OutcomeClassifier.Classify(text, restarting, false).Kind == Outcome.Unexpected);

        output.WriteLine(failures == 0 ? "self-test: every judgement as expected" : $"self-test: {failures} judgements wrong");
        return failures == 0 ? 0 : 1;
    }

    private static List<RssSample> Series(double duration, double every, Func<double, double> mb)
    {
        var samples = new List<RssSample>();
        for (var t = 0.0; t <= duration; t += every)
        {
            samples.Add(new RssSample(t, (long)(mb(t) * 1024), 20));
        }

        return samples;
    }

    /// <summary>A GC's sawtooth: memory climbs up to 30 MB over about a minute and drops back, with jitter.</summary>
    private static double Sawtooth(double t, Random random) => (t % 67 / 67 * 30) - 15 + (random.NextDouble() * 4) - 2;

    private static List<AdmittedCall> Calls(CallPlan plan, int count) =>
        Enumerable.Range(0, count).Select(i => new AdmittedCall(plan, 0, "s", 100 + (i * 0.02), 100 + (i * 0.02) + 0.01)).ToList();

    private static HttpAnswer Reply(string body)
    {
        var reply = JsonDocument.Parse(body).RootElement.Clone();
        return new HttpAnswer(HttpStatusCode.OK, null, [reply], reply);
    }
}
