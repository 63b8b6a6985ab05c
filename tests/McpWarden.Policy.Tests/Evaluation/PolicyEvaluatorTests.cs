using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Schema;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.Evaluation;

public sealed class PolicyEvaluatorTests
{
    private static readonly CompiledPolicy Policy = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "read_*":      {},
          "read_secret": {"action":"deny","reason":"secrets stay put"},
          "pay":         {"action":"approve","approval":{"timeout":60},"limits":[
                            {"counter":"per_payee","window":"day","max":3,"by":"/payee/phone"},
                            {"counter":"spend","window":"day","max":50000,"cost":"amount","scope":"global"}]},
          "run":         {"limits":[{"counter":"runs","window":60,"max":10,"scope":"session"}]}
        }}
        """);

    private static Decision Decide(string tool, string arguments = "{}", string grant = "g1", string session = "s1", ToolSnapshot? tools = null) =>
        PolicyEvaluator.Evaluate(Policy, Policies.Call(tool, arguments, grant, session), tools ?? ToolSnapshot.Everything);

    [Fact]
    public void Evaluate_ExactKey_BeatsAMatchingPattern()
    {
        Assert.Equal((DecisionKind.Allow, "/tools/read_*"), (Decide("read_file").Kind, Decide("read_file").RulePath));
        var denied = Decide("read_secret");
        Assert.Equal((DecisionKind.Deny, ReasonCodes.DeniedByRule, "/tools/read_secret", "secrets stay put"), (denied.Kind, denied.Code, denied.RulePath, denied.Message));
    }

    [Fact]
    public void Evaluate_NoRule_IsTheDefault()
    {
        var decision = Decide("write_file");
        Assert.Equal((DecisionKind.Deny, ReasonCodes.DefaultDeny, "/default"), (decision.Kind, decision.Code, decision.RulePath));
    }

    [Fact]
    public void Evaluate_NamesDifferingOnlyInCase_AreDifferentTools() =>
        Assert.Equal(ReasonCodes.DefaultDeny, Decide("READ_file").Code);

    [Theory]
    [InlineData("read_file\u200b")]
    [InlineData("read_file ")]
    [InlineData("read_fil\u0065\u0301")]
    [InlineData("read\u202efile")]
    public void Evaluate_InvisibleOrUnnormalisedName_IsRefused(string tool) =>
        Assert.Equal(ReasonCodes.InvalidToolName, Decide(tool).Code);

    [Fact]
    public void Evaluate_ToolTheServerDoesNotList_IsUnknownEvenWhenAllowed()
    {
        var tools = ToolSnapshot.Of([new ListedTool("read_file", null)]);
        Assert.Equal(ReasonCodes.UnknownTool, Decide("read_other", tools: tools).Code);
        Assert.True(Decide("read_file", tools: tools).IsAllowed);
    }

    [Fact]
    public void Evaluate_ChangedTool_IsRefusedBeforeTheRuleIsConsulted()
    {
        var tools = ToolSnapshot.Of([new ListedTool("read_file", null, ChangedSincePinned: true)]);
        Assert.Equal(ReasonCodes.ToolChanged, Decide("read_file", tools: tools).Code);
    }

    [Fact]
    public void Evaluate_WithheldTool_IsRefusedWithItsCodeBeforeTheRuleIsConsulted()
    {
        var tools = ToolSnapshot.Of([new ListedTool("read_file", null, Withheld: new ToolWithheld(ReasonCodes.ToolFlagged, "flagged by the scan"))]);
        var decision = Decide("read_file", tools: tools);
        Assert.Equal((DecisionKind.Deny, ReasonCodes.ToolFlagged, "flagged by the scan"), (decision.Kind, decision.Code, decision.Message));
    }

    [Fact]
    public void Evaluate_ArgumentsThatAreNotAnObject_AreInvalid() =>
        Assert.Equal(ReasonCodes.InvalidArguments, Decide("read_file", "[1,2]").Code);

    [Fact]
    public void Evaluate_Approve_CarriesObligationsKeyedByScopeAndPartition()
    {
        var decision = Decide("pay", """{"payee":{"phone":"254700000001"},"amount":1200.50}""", grant: "ops");
        Assert.Equal(DecisionKind.Approve, decision.Kind);
        Assert.Equal(TimeSpan.FromSeconds(60), decision.ApprovalTimeout);
        Assert.Collection(
            decision.Obligations,
            o => Assert.Equal(("grant:srv:ops:per_payee:s254700000001", 1m), (o.Key, o.Units)),
            o => Assert.Equal(("global:srv::spend", 1200.50m), (o.Key, o.Units)));
    }

    [Theory]
    [InlineData("""{"payee":{"phone":"1"}}""", "/tools/pay/limits/1/cost")]
    [InlineData("""{"payee":{"phone":"1"},"amount":"100"}""", "/tools/pay/limits/1/cost")]
    [InlineData("""{"payee":{"phone":"1"},"amount":-5}""", "/tools/pay/limits/1/cost")]
    [InlineData("""{"amount":5}""", "/tools/pay/limits/0/by")]
    public void Evaluate_CostOrPartitionThatCannotBeRead_IsInvalid(string arguments, string rulePath)
    {
        var decision = Decide("pay", arguments);
        Assert.Equal((ReasonCodes.InvalidArguments, rulePath), (decision.Code, decision.RulePath));
    }

    [Fact]
    public void Evaluate_KeysOfDifferentGrants_CannotCollideThroughTheSeparator()
    {
        var a = Decide("run", grant: "a:b", session: "c").Obligations[0].Key;
        var b = Decide("run", grant: "a", session: "b:c").Obligations[0].Key;
        Assert.NotEqual(a, b);
        Assert.Equal("session:srv:c:runs", a);
    }

    [Fact]
    public void Evaluate_PartitionValuesOfDifferentTypes_AreDifferentBudgets()
    {
        var text = Decide("pay", """{"payee":{"phone":"1"},"amount":1}""").Obligations[0].Key;
        var number = Decide("pay", """{"payee":{"phone":1},"amount":1}""").Obligations[0].Key;
        var sameNumber = Decide("pay", """{"payee":{"phone":1.0},"amount":1}""").Obligations[0].Key;
        Assert.NotEqual(text, number);
        Assert.Equal(number, sameNumber);
    }

    [Fact]
    public void Evaluate_FixedOutcomes_AreTheSameInstanceEveryTime()
    {
        // The hot path of a plain deny allocates nothing: the decision was built at compile time.
        Assert.Same(Decide("write_file"), Decide("other_tool"));
        Assert.Same(Decide("read_a"), Decide("read_b"));
    }

    [Fact]
    public void Evaluate_ToolSchemaIsCheckedBeforeTheRuleSchema()
    {
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"arguments":{"type":"object","properties":{"n":{"maximum":5}}}}}}""");
        var toolSchema = JsonSchemaCompiler.Compile(Policies.Json("""{"type":"object","properties":{"n":{"type":"integer"}}}""")).Schema;
        var tools = ToolSnapshot.Of([new ListedTool("t", toolSchema)]);

        var wrongType = PolicyEvaluator.Evaluate(policy, Policies.Call("t", """{"n":"x"}"""), tools);
        Assert.Equal((ReasonCodes.InvalidArguments, string.Empty), (wrongType.Code, wrongType.RulePath));

        var tooBig = PolicyEvaluator.Evaluate(policy, Policies.Call("t", """{"n":6}"""), tools);
        Assert.Equal((ReasonCodes.InvalidArguments, "/tools/t/arguments/properties/n/maximum"), (tooBig.Code, tooBig.RulePath));
        Assert.Contains("/n", tooBig.Message, StringComparison.Ordinal);

        Assert.True(PolicyEvaluator.Evaluate(policy, Policies.Call("t", """{"n":5}"""), tools).IsAllowed);
    }

    [Fact]
    public void Evaluate_PatternThatCannotBeDecidedUnderNot_RefusesOrHoldsTheCall()
    {
        // A lone surrogate escape is valid JSON that a client can send but that no regex can be run against; under
        // "not" an unanswered match must not read as "does not contain a card number" or "needs no person".
        var policy = Policies.Load("""
            {"version":"1","default":"deny","tools":{
              "post_note": {"arguments":{"properties":{"note":{"not":{"pattern":"[0-9]{16}"}}}}},
              "b2c_payment": {"action":"approve","approval":{"unless":{"properties":{"note":{"not":{"pattern":"urgent"}}}}}}
            }}
            """);
        const string Undecidable = """{"note":"\ud800 4111111111111111 urgent"}""";

        var note = PolicyEvaluator.Evaluate(policy, Policies.Call("post_note", Undecidable), ToolSnapshot.Everything);
        Assert.Equal((ReasonCodes.InvalidArguments, "/tools/post_note/arguments/properties/note/not/pattern"), (note.Code, note.RulePath));

        var payment = PolicyEvaluator.Evaluate(policy, Policies.Call("b2c_payment", Undecidable), ToolSnapshot.Everything);
        Assert.Equal(ReasonCodes.ApprovalRequired, payment.Code);

        Assert.True(PolicyEvaluator.Evaluate(policy, Policies.Call("post_note", """{"note":"thanks"}"""), ToolSnapshot.Everything).IsAllowed);
    }

    [Fact]
    public void Hides_DeniedAndUnusableNames_ButNotAllowedOnes()
    {
        Assert.True(Policy.Hides("read_secret"));
        Assert.True(Policy.Hides("write_file"));
        Assert.True(Policy.Hides("read_file\u200b"));
        Assert.False(Policy.Hides("read_file"));
        Assert.False(Policy.Hides("pay"));
    }

    [Fact]
    public void Evaluate_SameCounterOnTwoServers_IsTwoBudgets()
    {
        var onA = PolicyEvaluator.Evaluate(Policy, Policies.Call("run", server: "a"), ToolSnapshot.Everything).Obligations[0].Key;
        var onB = PolicyEvaluator.Evaluate(Policy, Policies.Call("run", server: "b"), ToolSnapshot.Everything).Obligations[0].Key;
        Assert.NotEqual(onA, onB);
    }

    [Fact]
    public void Evaluate_LongPartitionValue_IsHashedIntoABoundedKey()
    {
        var phone = new string('7', 100_000);
        var key = Decide("pay", "{\"payee\":{\"phone\":\"" + phone + "\"},\"amount\":1}").Obligations[0].Key;
        Assert.True(key.Length < 200, $"key of {key.Length} characters");
        Assert.NotEqual(key, Decide("pay", "{\"payee\":{\"phone\":\"" + phone + "8\"},\"amount\":1}").Obligations[0].Key);
    }

    [Fact]
    public void Evaluate_ToolWhoseSchemaCouldNotBeCompiled_IsRefusedNotLetThrough()
    {
        var tools = ToolSnapshot.Of([new ListedTool("read_file", null, InputSchemaProblem: "\"minimum\" must be a number")]);
        var decision = Decide("read_file", tools: tools);
        Assert.Equal(ReasonCodes.InvalidArguments, decision.Code);
        Assert.Contains("cannot be checked", decision.Message, StringComparison.Ordinal);
    }

    private static readonly CompiledPolicy Unless = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "b2c": {"action":"approve","approval":{"timeout":120,"via":"client","unless":{
                    "type":"object","properties":{"amount":{"type":"number","maximum":1000},"memo":{"type":"string","pattern":"^[a-z ]*$"}},"required":["amount"]}},
                  "limits":[{"counter":"b2c","window":"minute","max":10}]}
        }}
        """);

    private static Decision DecideUnless(string arguments) =>
        PolicyEvaluator.Evaluate(Unless, Policies.Call("b2c", arguments), ToolSnapshot.Everything);

    [Fact]
    public void Evaluate_ArgumentsMeetingUnless_AreAnAllowThatStillCarriesTheLimits()
    {
        var decision = DecideUnless("""{"amount":500}""");
        Assert.Equal((DecisionKind.Allow, ReasonCodes.Allowed, "/tools/b2c/approval/unless"), (decision.Kind, decision.Code, decision.RulePath));
        Assert.Equal("b2c", Assert.Single(decision.Obligations).Limit.Counter);
        // An allow waits for no one, whatever the rule's approval says.
        Assert.Null(decision.ApprovalTimeout);
    }

    [Fact]
    public void Evaluate_ArgumentsNotMeetingUnless_AreHeldUnderTheRuleWithItsApprovalSettings()
    {
        var decision = DecideUnless("""{"amount":5000}""");
        Assert.Equal((DecisionKind.Approve, ReasonCodes.ApprovalRequired, "/tools/b2c"), (decision.Kind, decision.Code, decision.RulePath));
        Assert.Equal(TimeSpan.FromSeconds(120), decision.ApprovalTimeout);
        Assert.Single(decision.Obligations);
        Assert.Contains("argument /amount", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnlessThatCannotCheckTheArguments_HoldsTheCallForAPerson()
    {
        // A lone surrogate cannot be read as a string, so the pattern cannot be decided: the call falls to the person.
        Assert.Equal(DecisionKind.Allow, DecideUnless("""{"amount":5,"memo":"rent"}""").Kind);
        var decision = DecideUnless("""{"amount":5,"memo":"\ud800"}""");
        Assert.Equal(DecisionKind.Approve, decision.Kind);
        Assert.Equal("/tools/b2c", decision.RulePath);
    }
}
