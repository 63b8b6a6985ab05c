using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

using McpWarden.BenchKit;

namespace McpWarden.Soak;

/// <summary>
/// Holds each answer to what the policy says it must be. A denied tool must come back denied with its reason
/// code (and rule, and reason); an allowed one must come back with the fixture's own text, or refused by one of
/// its limits with the counter named and a retry-after within the window; a failure to reach the server must say
/// so in the gateway's words, and only while the server is being restarted. Anything else is unexpected.
/// </summary>
internal static partial class OutcomeClassifier
{
    private const string PolicyMeta = "mcpwarden/policy";

    public static Outcome Classify(CallPlan plan, HttpAnswer answer, bool nearRestart)
    {
        if (answer.Status != HttpStatusCode.OK || answer.Reply is not { } reply)
        {
            return Outcome.Wrong($"{plan.Label}: HTTP {(int)answer.Status} without a reply to the call");
        }

        if (reply.TryGetProperty("error", out var error))
        {
            var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            var failure = UpstreamFailure(message);
            return failure is null ? Outcome.Wrong($"{plan.Label}: JSON-RPC error {error.GetRawText()}")
                : nearRestart ? failure
                : Outcome.Wrong($"{plan.Label}: the server was reported out of reach with no restart near: {message}");
        }

        if (!reply.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            return Outcome.Wrong($"{plan.Label}: a reply with neither result nor error: {reply.GetRawText()}");
        }

        var refused = result.TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True;
        if (!refused)
        {
            return plan.Denial is { } denial ? Outcome.Wrong($"{plan.Label}: must be refused ({denial.Code}) but ran: {Shorten(result.GetRawText())}")
                : FirstText(result)?.StartsWith(plan.SuccessText, StringComparison.Ordinal) == true ? new Outcome(Outcome.Ok)
                : Outcome.Wrong($"{plan.Label}: a success that is not the server's answer: {Shorten(result.GetRawText())}");
        }

        if (!(result.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(PolicyMeta, out var policy) && policy.ValueKind == JsonValueKind.Object))
        {
            return Outcome.Wrong($"{plan.Label}: an error result without the policy's reason: {Shorten(result.GetRawText())}");
        }

        var code = Text(policy, "code");
        var rule = Text(policy, "rule");
        var said = Text(policy, "message") ?? "";
        if (plan.Denial is { } expected)
        {
            return code == expected.Code && (expected.Rule is null || rule == expected.Rule) && (expected.MessageContains is null || said.Contains(expected.MessageContains, StringComparison.Ordinal))
                ? Outcome.Denied(code)
                : Outcome.Wrong($"{plan.Label}: expected {expected.Code} at {expected.Rule ?? "any rule"}, got {code} at {rule}: {said}");
        }

        if (code != Outcome.RateLimited)
        {
            return Outcome.Wrong($"{plan.Label}: an allowed call refused ({code} at {rule}): {said}");
        }

        var limit = plan.Limits.FirstOrDefault(l => l.Rule == rule);
        if (limit is null || !said.Contains($"\"{limit.Counter}\"", StringComparison.Ordinal))
        {
            return Outcome.Wrong($"{plan.Label}: rate_limited by {rule}, which is not one of its limits: {said}");
        }

        // A retry can succeed once the oldest unit in the window frees: after more than 0 and at most the window.
        return policy.TryGetProperty("retryAfterSeconds", out var retry) && retry.ValueKind == JsonValueKind.Number
            && retry.GetDouble() is > 0 and var seconds && seconds <= limit.WindowSeconds + 0.001
            ? new Outcome(Outcome.RateLimited, limit.Counter)
            : Outcome.Wrong($"{plan.Label}: rate_limited by {limit.Counter} without a retry-after in (0, {limit.WindowSeconds}] s: {policy.GetRawText()}");
    }

    /// <summary>The gateway's words for a server it cannot reach now (see docs/configuration.md, When a server fails); null for anything else.</summary>
    public static Outcome? UpstreamFailure(string message)
    {
        // The server went away (or forgot the session) while the gateway asked for its tools to decide the call.
        if (message.StartsWith($"the server {SoakPolicy.Server} could not be asked for its tools, so the call was not forwarded: ", StringComparison.Ordinal))
        {
            return new Outcome(Outcome.UpstreamUnavailable, "tool_list_failed");
        }

        return message switch
        {
            _ when Restarting().IsMatch(message) => new Outcome(Outcome.UpstreamUnavailable, "restarting"),
            _ when message.StartsWith($"the server {SoakPolicy.Server} is not running: the gateway gave up restarting it", StringComparison.Ordinal) => new Outcome(Outcome.UpstreamUnavailable, "gave_up"),
            _ when message.StartsWith($"the server {SoakPolicy.Server} closed its connection", StringComparison.Ordinal) => new Outcome(Outcome.UpstreamUnavailable, "closed"),
            _ when message.StartsWith($"the request could not be sent to {SoakPolicy.Server}: ", StringComparison.Ordinal) => new Outcome(Outcome.UpstreamUnavailable, "send_failed"),
            _ when message.StartsWith($"the server {SoakPolicy.Server} did not answer ", StringComparison.Ordinal)
                || message.StartsWith($"{SoakPolicy.Server} did not answer ", StringComparison.Ordinal)
                || message.StartsWith("the gateway could not decide this call within ", StringComparison.Ordinal) => new Outcome(Outcome.UpstreamTimeout, "timeout"),
            _ => null,
        };
    }

    [GeneratedRegex(@"^the server payments is restarting; retry in \d+ s$", RegexOptions.CultureInvariant)]
    private static partial Regex Restarting();

    private static string? FirstText(JsonElement result) =>
        result.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array && content.GetArrayLength() > 0
        && content[0].TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
