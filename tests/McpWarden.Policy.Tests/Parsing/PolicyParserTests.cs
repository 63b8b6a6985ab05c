using McpWarden.Policy.Definitions;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.Parsing;

public sealed class PolicyParserTests
{
    private static Diagnostic[] Errors(string json) =>
        PolicyLoader.LoadText("p.json", json).Diagnostics.Where(d => d.IsError).ToArray();

    private static Diagnostic SingleError(string json) => Assert.Single(Errors(json));

    [Fact]
    public void Load_PublishedSeedPolicy_LoadsUnchangedAndMeansTenAMinutePerGrant()
    {
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"run_workflow":{"limits":[{"counter":"run_workflow_rate","window":"minute","max":10,"scope":"grant"}]}}}""");
        var rule = policy.Resolve("run_workflow");
        Assert.Equal(PolicyAction.Allow, rule.Action);
        var limit = Assert.Single(rule.Limits);
        Assert.Equal(("run_workflow_rate", TimeSpan.FromMinutes(1), 10m, LimitScope.Grant), (limit.Counter, limit.Window, limit.Max, limit.Scope));
        Assert.Equal(PolicyAction.Deny, policy.Resolve("anything_else").Action);
    }

    [Fact]
    public void Load_ThreeMistakes_AreAllReportedAtOnceWithPathsAndPositions()
    {
        var diagnostics = Errors("""
            {
              "version": "1",
              "default": "deny",
              "tools": {
                "a": { "limts": [] },
                "b": { "limits": [ { "counter": "c", "window": "fortnight", "max": 0 } ] }
              }
            }
            """);
        Assert.Collection(
            diagnostics,
            d => Assert.Equal((DiagnosticCodes.UnknownField, "/tools/a/limts", new SourcePosition(5, 12)), (d.Code, d.Path, d.Position)),
            d => Assert.Equal((DiagnosticCodes.InvalidWindow, "/tools/b/limits/0/window", new SourcePosition(6, 52)), (d.Code, d.Path, d.Position)),
            d => Assert.Equal((DiagnosticCodes.InvalidMax, "/tools/b/limits/0/max", new SourcePosition(6, 72)), (d.Code, d.Path, d.Position)));
    }

    [Fact]
    public void Diagnostic_ToString_IsTheCheckLineFormat()
    {
        var diagnostic = SingleError("""{"version":"1","default":"deny","tools":{"a":{"limts":[]}}}""");
        Assert.Equal("p.json:1:47 MW1001 /tools/a/limts unknown field \"limts\"; did you mean \"limits\"?", diagnostic.ToString());
    }

    [Theory]
    [InlineData("""{"default":"deny"}""", DiagnosticCodes.MissingField, "")]
    [InlineData("""{"version":1,"default":"deny"}""", DiagnosticCodes.WrongType, "/version")]
    [InlineData("""{"version":"2","default":"deny"}""", DiagnosticCodes.UnsupportedVersion, "/version")]
    [InlineData("""{"version":"1","default":"block"}""", DiagnosticCodes.InvalidAction, "/default")]
    [InlineData("""{"version":"1","default":"deny","tools":[]}""", DiagnosticCodes.WrongType, "/tools")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":true}}""", DiagnosticCodes.WrongType, "/tools/t")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"permit"}}}""", DiagnosticCodes.InvalidAction, "/tools/t/action")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"reason":" "}}}""", DiagnosticCodes.EmptyString, "/tools/t/reason")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":{}}}}""", DiagnosticCodes.WrongType, "/tools/t/limits")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"window":60,"max":1}]}}}""", DiagnosticCodes.MissingField, "/tools/t/limits/0")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":0,"max":1}]}}}""", DiagnosticCodes.InvalidWindow, "/tools/t/limits/0/window")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":1.5,"max":1}]}}}""", DiagnosticCodes.InvalidWindow, "/tools/t/limits/0/window")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":"60","max":1}]}}}""", DiagnosticCodes.InvalidWindow, "/tools/t/limits/0/window")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":31622401,"max":1}]}}}""", DiagnosticCodes.InvalidWindow, "/tools/t/limits/0/window")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60,"max":-1}]}}}""", DiagnosticCodes.InvalidMax, "/tools/t/limits/0/max")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60,"max":"10"}]}}}""", DiagnosticCodes.InvalidMax, "/tools/t/limits/0/max")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60,"max":1,"scope":"user"}]}}}""", DiagnosticCodes.InvalidScope, "/tools/t/limits/0/scope")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60,"max":1,"by":""}]}}}""", DiagnosticCodes.InvalidArgumentReference, "/tools/t/limits/0/by")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60,"max":1,"cost":"/a~2"}]}}}""", DiagnosticCodes.InvalidArgumentReference, "/tools/t/limits/0/cost")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"rate_limit":{"max":10,"window":60,"per":"grant"}}}}""", DiagnosticCodes.UnknownField, "/tools/t/rate_limit/per")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"approval":{"timeout":60}}}}""", DiagnosticCodes.ApprovalWithoutApprove, "/tools/t/approval")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":"amount <= 1000"}}}}""", DiagnosticCodes.UnlessNotSchema, "/tools/t/approval/unless")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":1000}}}}""", DiagnosticCodes.UnlessNotSchema, "/tools/t/approval/unless")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":null}}}}""", DiagnosticCodes.UnlessNotSchema, "/tools/t/approval/unless")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":[]}}}}""", DiagnosticCodes.UnlessNotSchema, "/tools/t/approval/unless")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":{"minimum":"1"}}}}}""", DiagnosticCodes.InvalidSchema, "/tools/t/approval/unless/minimum")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":{"$ref":"#/$defs/none"}}}}}""", DiagnosticCodes.UnresolvedSchemaReference, "/tools/t/approval/unless/$ref")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"deny","approval":{"unless":true}}}}""", DiagnosticCodes.ApprovalWithoutApprove, "/tools/t/approval")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"timeout":0}}}}""", DiagnosticCodes.InvalidApprovalTimeout, "/tools/t/approval/timeout")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"timeout":86401}}}}""", DiagnosticCodes.InvalidApprovalTimeout, "/tools/t/approval/timeout")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"timeout":0.5}}}}""", DiagnosticCodes.InvalidApprovalTimeout, "/tools/t/approval/timeout")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"via":"Client"}}}}""", DiagnosticCodes.InvalidApprovalVia, "/tools/t/approval/via")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"via":"admin"}}}}""", DiagnosticCodes.InvalidApprovalVia, "/tools/t/approval/via")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"via":true}}}}""", DiagnosticCodes.InvalidApprovalVia, "/tools/t/approval/via")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"via":null}}}}""", DiagnosticCodes.InvalidApprovalVia, "/tools/t/approval/via")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"action":"allow","approval":{"via":"client"}}}}""", DiagnosticCodes.ApprovalWithoutApprove, "/tools/t/approval")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60,"max":1e30}]}}}""", DiagnosticCodes.InvalidMax, "/tools/t/limits/0/max")]
    [InlineData("""{"version":"1","default":"deny","tools":{"t":{"arguments":true}}}""", DiagnosticCodes.ArgumentsNotObjectSchema, "/tools/t/arguments")]
    [InlineData("""{"version":"1","default":"deny","tools":{"":{}}}""", DiagnosticCodes.InvalidToolPattern, "/tools/")]
    [InlineData("""{"version":"1","default":"deny","tools":{"pay\u200b":{}}}""", DiagnosticCodes.InvalidToolPattern, "/tools/pay\u200b")]
    [InlineData("""{"version":"1","default":"deny","tools":{"pay_*":{},"*_pay":{}}}""", DiagnosticCodes.AmbiguousPatterns, "/tools/*_pay")]
    [InlineData("""{"version":"1","default":"deny","tools":{"caf\u00e9":{},"cafe\u0301":{}}}""", DiagnosticCodes.DuplicateToolKey, "/tools/cafe\u0301")]
    [InlineData("""{"version":"1","default":"deny","tools":{"a":{},"a":{}}}""", DiagnosticCodes.DuplicateKey, "/tools/a")]
    [InlineData("""[]""", DiagnosticCodes.EmptyDocument, "")]
    public void Load_OneMistake_IsOneErrorAtItsPath(string json, string code, string path)
    {
        var diagnostic = SingleError(json);
        Assert.Equal((code, path), (diagnostic.Code, diagnostic.Path));
    }

    [Theory]
    [InlineData("""{"counter":"c","window":60,"max":1}""", """{"counter":"c","window":61,"max":1}""", "window")]
    [InlineData("""{"counter":"c","window":60,"max":1}""", """{"counter":"c","window":60,"max":2}""", "max")]
    [InlineData("""{"counter":"c","window":60,"max":1}""", """{"counter":"c","window":60,"max":1,"scope":"global"}""", "scope")]
    [InlineData("""{"counter":"c","window":60,"max":1}""", """{"counter":"c","window":60,"max":1,"by":"to"}""", "\"by\"")]
    [InlineData("""{"counter":"c","window":60,"max":1}""", """{"counter":"c","window":60,"max":1,"cost":"amount"}""", "\"cost\"")]
    public void Load_SharedCounterThatDisagrees_IsAConflict(string first, string second, string what)
    {
        var diagnostic = SingleError("""{"version":"1","default":"deny","tools":{"a":{"limits":[""" + first + """]},"b":{"limits":[""" + second + "]}}}");
        Assert.Equal((DiagnosticCodes.CounterConflict, "/tools/b/limits/0"), (diagnostic.Code, diagnostic.Path));
        Assert.Contains(what, diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("/tools/a/limits/0", diagnostic.Message, StringComparison.Ordinal);
    }

    [Trait("Security", "fuzzing")]
    [Fact]
    public void Load_SharedCounterWithHostileCosts_QuotesThemEscapedAndShortened()
    {
        // Found by the fuzzer: the two "cost" (and "by") values were written into the message raw and whole,
        // so 7,000 zero-width spaces reached `mcpwarden check`'s output as they were.
        var hostile = "\\u200b" + string.Concat(Enumerable.Repeat("x", 5_000));
        var diagnostic = SingleError("""{"version":"1","default":"deny","tools":{"a":{"limits":[{"counter":"c","window":60,"max":1,"cost":"amount"}]},"b":{"limits":[{"counter":"c","window":60,"max":1,"cost":" """ + hostile + """ "}]}}}""");

        Assert.Equal(DiagnosticCodes.CounterConflict, diagnostic.Code);
        Assert.DoesNotContain(diagnostic.Message, c => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        Assert.True(diagnostic.Message.Length < 500, $"the message is {diagnostic.Message.Length} characters long");
        Assert.Contains("\"amount\" there", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RateLimitShorthandAndExplicitCounterOfTheSameName_MustAgree()
    {
        var diagnostic = SingleError("""{"version":"1","default":"deny","tools":{"t":{"rate_limit":{"max":10,"window":60}},"u":{"limits":[{"counter":"t_rate","window":60,"max":5}]}}}""");
        Assert.Equal(DiagnosticCodes.CounterConflict, diagnostic.Code);
    }

    [Fact]
    public void Load_RateLimitShorthand_IsALimitNamedAfterTheTool()
    {
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"send_sms":{"rate_limit":{"max":10,"window":60}}}}""");
        var limit = Assert.Single(policy.Resolve("send_sms").Limits);
        Assert.Equal(("send_sms_rate", TimeSpan.FromSeconds(60), LimitScope.Grant, "/tools/send_sms/rate_limit"), (limit.Counter, limit.Window, limit.Scope, limit.Path));
    }

    [Fact]
    public void Load_MissingDefault_WarnsAndDenies()
    {
        var result = PolicyLoader.LoadText("p.json", """{"version":"1","tools":{}}""");
        Assert.True(result.Succeeded);
        Assert.Equal(DiagnosticCodes.DefaultMissing, Assert.Single(result.Diagnostics).Code);
        Assert.Equal(PolicyAction.Deny, result.Policy!.Default.Action);
    }

    [Fact]
    public void Load_NfdKey_WarnsAndMatchesTheNfcName()
    {
        var result = PolicyLoader.LoadText("p.json", """{"version":"1","default":"deny","tools":{"cafe\u0301":{}}}""");
        Assert.True(result.Succeeded);
        Assert.Equal(DiagnosticCodes.ToolKeyNotNormalized, Assert.Single(result.Diagnostics).Code);
        Assert.Equal(PolicyAction.Allow, result.Policy!.Resolve("caf\u00e9").Action);
    }

    [Fact]
    public void Load_LimitsOnADenyRule_Warn()
    {
        var result = PolicyLoader.LoadText("p.json", """{"version":"1","default":"deny","tools":{"t":{"action":"deny","limits":[{"counter":"c","window":60,"max":1}]}}}""");
        Assert.True(result.Succeeded);
        Assert.Equal(DiagnosticCodes.UnusedOnDeny, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Load_AnyError_LoadsNothing()
    {
        var result = PolicyLoader.LoadText("p.json", """{"version":"1","default":"allow","tools":{"t":{"action":"deny"},"u":{"actoin":"deny"}}}""");
        Assert.False(result.Succeeded);
        Assert.Null(result.Policy);
    }

    [Fact]
    public void Load_UnknownFieldsAtEveryLevel_AreEachReported()
    {
        var diagnostics = Errors("""{"version":"1","default":"deny","extra":1,"tools":{"t":{"action":"approve","colour":1,"approval":{"timeout":5,"who":"x"},"limits":[{"counter":"c","window":60,"max":1,"per":"x"}]}}}""");
        Assert.Equal(["/extra", "/tools/t/colour", "/tools/t/limits/0/per", "/tools/t/approval/who"], diagnostics.Select(d => d.Path).ToArray());
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticCodes.UnknownField, d.Code));
    }

    [Fact]
    public void Load_SameDocument_HasTheSameRevisionWhateverItsLayout()
    {
        var a = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{}}}""");
        var b = Policies.Load("""{ "tools": { "t": { } }, "default": "deny", "version": "1" }""");
        var c = Policies.Load("""{"version":"1","default":"allow","tools":{"t":{}}}""");
        Assert.Equal(a.Revision, b.Revision);
        Assert.NotEqual(a.Revision, c.Revision);
    }

    [Fact]
    public void DiagnosticCodes_AreUniqueAndDocumented()
    {
        var codes = DiagnosticCodes.All.Select(c => c.Code).ToArray();
        Assert.Equal(codes.Length, codes.Distinct().Count());
        var documented = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "policy.md"))
            + File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration.md"));
        Assert.All(codes, code => Assert.Contains(code, documented, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_EmbeddedPolicyWithADuplicateKey_IsRefused()
    {
        // An inline policy in a larger document: the document's duplicate-key finding must refuse it.
        using var document = McpWarden.Policy.Json.SourceDocument.Parse("config.json", """{"policy":{"version":"1","default":"deny","tools":{"t":{"action":"deny","action":"allow"}}}}""");
        var sink = new DiagnosticSink(document, "/policy", []);
        var result = PolicyLoader.Load(sink, document.Root!.Value.GetProperty("policy"));
        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.Code == DiagnosticCodes.DuplicateKey && d.Path == "/policy/tools/t/action");
    }

    [Fact]
    public void Diagnostic_ToString_EscapesControlCharactersInThePath()
    {
        var diagnostic = SingleError("{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\"x\\u001b[2J\\ny\":{}}}");
        var line = diagnostic.ToString();
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("/tools/x\\u001b[2J\\u000ay", line, StringComparison.Ordinal);
    }

    [Trait("Security", "fuzzing")]
    [Fact]
    public void Diagnostic_ToString_EscapesHiddenCharactersInTheSourceAndMessage()
    {
        // Found by the fuzzer: a policy path with a zero-width space reached `mcpwarden check` raw, both as the
        // diagnostic's source and inside the "cannot read the file" message.
        var file = "/tmp/poli\u200bs/run\nworkflow.json";
        using var document = SourceDocument.Load(file, file);
        var line = Assert.Single(document.Diagnostics).ToString();
        Assert.DoesNotContain(line, c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        Assert.StartsWith("/tmp/poli\\u200bs/run\\u000aworkflow.json:1:1 MW0006", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WindowWrittenAsAWholeDecimal_IsThatManySeconds()
    {
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":60.0,"max":1}]}}}""");
        Assert.Equal(TimeSpan.FromSeconds(60), Assert.Single(policy.Resolve("t").Limits).Window);
    }

    [Theory]
    [InlineData("""{"action":"approve"}""", 300, ApprovalChannel.Queue)]
    [InlineData("""{"action":"approve","approval":{}}""", 300, ApprovalChannel.Queue)]
    [InlineData("""{"action":"approve","approval":{"via":"queue"}}""", 300, ApprovalChannel.Queue)]
    [InlineData("""{"action":"approve","approval":{"via":"client"}}""", 300, ApprovalChannel.Client)]
    [InlineData("""{"action":"approve","approval":{"timeout":60,"via":"client"}}""", 60, ApprovalChannel.Client)]
    [InlineData("""{"action":"approve","approval":{"via":"client","timeout":45}}""", 45, ApprovalChannel.Client)]
    public void Load_ApprovalVia_IsReadWithItsTimeout(string rule, int seconds, ApprovalChannel via)
    {
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"t":""" + rule + "}}");
        var compiled = policy.Resolve("t");
        Assert.Equal((TimeSpan.FromSeconds(seconds), via), (compiled.ApprovalTimeout, compiled.ApprovalVia));
    }

    [Fact]
    public void Load_BadTimeoutBesideAGoodVia_ReportsOnlyTheTimeout()
    {
        var diagnostic = SingleError("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"timeout":"soon","via":"client"}}}}""");
        Assert.Equal((DiagnosticCodes.InvalidApprovalTimeout, "/tools/t/approval/timeout"), (diagnostic.Code, diagnostic.Path));
    }

    [Theory]
    [InlineData("""{"action":"approve"}""", false)]
    [InlineData("""{"action":"approve","approval":{"timeout":60}}""", false)]
    [InlineData("""{"action":"approve","approval":{"unless":{"type":"object"}}}""", true)]
    [InlineData("""{"action":"approve","approval":{"unless":false}}""", true)]
    public void Load_ApprovalUnless_IsCompiledOnlyWhenWritten(string rule, bool hasUnless)
    {
        var compiled = Policies.Load("""{"version":"1","default":"deny","tools":{"t":""" + rule + "}}").Resolve("t");
        Assert.Equal(hasUnless, compiled.Unless is not null);
        Assert.Equal("/tools/t/approval/unless", compiled.UnlessPath);
    }

    [Fact]
    public void Load_ApprovalUnlessChanged_ChangesTheRevision()
    {
        // A held call's approval is bound to the revision: which calls skip the person is part of what was approved under.
        var small = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":{"properties":{"amount":{"maximum":100}}}}}}}""");
        var large = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"unless":{"properties":{"amount":{"maximum":1000}}}}}}}""");
        Assert.NotEqual(small.Revision, large.Revision);
    }

    [Fact]
    public void Load_ApprovalViaChanged_ChangesTheRevision()
    {
        // A held call's approval is bound to the revision: who is asked is part of what was approved under.
        var queue = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"via":"queue"}}}}""");
        var client = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"via":"client"}}}}""");
        Assert.NotEqual(queue.Revision, client.Revision);
    }

    [Fact]
    public void Load_BadVia_NamesTheValueItGot()
    {
        var diagnostic = SingleError("""{"version":"1","default":"deny","tools":{"t":{"action":"approve","approval":{"via":"email"}}}}""");
        Assert.Contains("\"email\"", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(new SourcePosition(1, 84), diagnostic.Position);
    }
}
