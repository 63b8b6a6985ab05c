using System.Globalization;
using System.Text;

namespace McpWarden.BenchKit;

/// <summary>
/// Policies of a given size, shaped like real ones: mostly exact tool names, some prefix patterns, some limits.
/// The decision benchmarks (bench/McpWarden.Benchmarks) and the load harness (bench/McpWarden.Load) measure the
/// same shapes, so their figures can be read side by side.
/// </summary>
public static class GeneratedPolicies
{
    /// <summary>The six-field argument schema of benchmark (c).</summary>
    public const string PaymentSchema = """
        {"type":"object","additionalProperties":false,"required":["phone","amount","currency"],
         "properties":{
           "phone":{"type":"string","pattern":"^2547[0-9]{8}$"},
           "amount":{"type":"number","minimum":1,"maximum":150000},
           "account_reference":{"type":"string","maxLength":12},
           "currency":{"enum":["KES","USD"]},
           "retries":{"type":"integer","minimum":0,"maximum":3},
           "notify":{"type":"boolean"}}}
        """;

    public const string PaymentArguments = """{"phone":"254712345678","amount":1500,"account_reference":"INV-2026-001","currency":"KES","retries":1,"notify":true}""";

    /// <summary>The argument schema the load harness puts on the fixture's <c>echo</c>: one string of at most 4,096 characters.</summary>
    public const string EchoSchema = """{"type":"object","additionalProperties":false,"required":["text"],"properties":{"text":{"type":"string","maxLength":4096}}}""";

    /// <summary>
    /// A policy with <paramref name="rules"/> rules: <c>run_workflow</c> under two limits, <c>pay</c> under
    /// the payment schema, and filler rules (one in ten a prefix pattern, one in five with a limit).
    /// </summary>
    public static string WithRules(int rules) =>
        Realistic(rules, 2, """
            "run_workflow":{"limits":[
              {"counter":"run_workflow_minute","window":"minute","max":1000000000,"scope":"grant"},
              {"counter":"run_workflow_second","window":"second","max":1000000000,"scope":"global"}]},
            "pay":{"arguments":
            """ + PaymentSchema + "}");

    /// <summary>
    /// A policy with <paramref name="rules"/> rules in which <c>echo</c> is allowed under two limits (per grant and
    /// minute, global per second) whose maxima no load run reaches, and under <see cref="EchoSchema"/>; the rest
    /// are the filler rules of <see cref="WithRules"/>, on other tool names.
    /// </summary>
    /// <remarks>The maxima are far above any rate a machine can drive, so a refused call is a fault, never the limit doing its job.</remarks>
    public static string EchoUnderLimits(int rules) =>
        Realistic(rules, 1, """
            "echo":{"limits":[
              {"counter":"echo_per_grant_minute","window":"minute","max":1000000000,"scope":"grant"},
              {"counter":"echo_global_second","window":"second","max":10000000,"scope":"global"}],
             "arguments":
            """ + EchoSchema + "}");

    /// <summary>
    /// A deny-by-default policy of <paramref name="rules"/> rules: the <paramref name="headRules"/> rules a caller
    /// writes in <paramref name="head"/> (the tools it calls, as JSON members without braces), then filler rules for
    /// tools no server has, shaped as a policy written for several servers' worth of tools reads: mostly exact names,
    /// allowed or denied, one in ten a prefix pattern, one in five with a limit.
    /// </summary>
    /// <remarks>Every command that says "a realistic N-rule policy" builds it here, so "50 rules" means the same filler in each.</remarks>
    public static string Realistic(int rules, int headRules, string head)
    {
        var builder = new StringBuilder("""{"version":"1","default":"deny","tools":{""").Append(head);
        AppendFiller(builder, headRules, rules);
        return builder.Append("}}").ToString();
    }

    /// <summary>Filler rules number <paramref name="from"/> to <paramref name="to"/> (exclusive), each after a comma.</summary>
    private static void AppendFiller(StringBuilder builder, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            builder.Append(',');
            if (i % 10 == 0)
            {
                builder.Append("\"ns").Append(n).Append("_*\":{}");
            }
            else if (i % 5 == 0)
            {
                builder.Append("\"tool_").Append(n).Append("\":{\"limits\":[{\"counter\":\"c").Append(n).Append("\",\"window\":60,\"max\":100}]}");
            }
            else
            {
                builder.Append("\"tool_").Append(n).Append("\":{\"action\":\"").Append(i % 3 == 0 ? "deny" : "allow").Append("\"}");
            }
        }
    }
}
