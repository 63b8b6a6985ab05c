using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Recommendation;
using McpWarden.Policy;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Definitions;
using Xunit;

namespace McpWarden.Catalog.Tests.Recommendation;

public sealed class PolicyRecommenderTests
{
    private static readonly ServerContext Server = new("payments");

    [Fact]
    public void EmptyServer_IsADefaultDenyPolicy()
    {
        var json = PolicyRecommender.Recommend(Server, []);

        Assert.Equal("{\n  \"version\": \"1\",\n  \"default\": \"deny\",\n  \"tools\": {}\n}\n", json);
        Assert.Empty(Load(json).Rules);
    }

    [Fact]
    public void Execute_IsTheSeedExamplesShape()
    {
        var json = PolicyRecommender.Recommend(Server, [Classified("run_workflow", ToolCategory.Execute)]);

        var rule = Load(json).Resolve("run_workflow");
        Assert.Equal(PolicyAction.Allow, rule.Action);
        AssertLimit(Assert.Single(rule.Limits), "run_workflow_rate", TimeSpan.FromMinutes(1), 10, cost: null);
        var limit = JsonNode.Parse(json)!["tools"]!["run_workflow"]!["limits"]![0]!.ToJsonString();
        Assert.Equal("""{"counter":"run_workflow_rate","window":"minute","max":10,"scope":"grant"}""", limit);
        Assert.Contains("""
                  "limits": [
                    { "counter": "run_workflow_rate", "window": "minute", "max": 10, "scope": "grant" }
                  ]
            """.Replace("\r\n", "\n", StringComparison.Ordinal), json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ToolCategory.Read, PolicyAction.Allow, 120, 60)]
    [InlineData(ToolCategory.Write, PolicyAction.Allow, 30, 60)]
    [InlineData(ToolCategory.Execute, PolicyAction.Allow, 10, 60)]
    [InlineData(ToolCategory.Communication, PolicyAction.Approve, 20, 3600)]
    [InlineData(ToolCategory.Destructive, PolicyAction.Approve, 10, 3600)]
    [InlineData(ToolCategory.Financial, PolicyAction.Approve, 20, 86400)]
    public void EachCategory_HasItsRuleShape(ToolCategory category, PolicyAction action, int max, int windowSeconds)
    {
        var tool = Classified("do_it", category, rationale: "From the tool's definition \"Does it\" — it does it");

        var rule = Load(PolicyRecommender.Recommend(Server, [tool])).Resolve("do_it");

        Assert.Equal(action, rule.Action);
        AssertLimit(Assert.Single(rule.Limits), "do_it_rate", TimeSpan.FromSeconds(windowSeconds), max, cost: null);
        Assert.Equal($"{CatalogNames.Of(category)}, high risk: From the tool's definition \"Does it\" — it does it", rule.Reason);
    }

    [Fact]
    public void Credentials_AreDenied_WithTheRationaleAsReason()
    {
        var tool = Classified("generate_token", ToolCategory.Credentials, RiskLevel.Critical, "From the tool's definition \"Generate OAuth access token\" — issues credentials");

        var policy = Load(PolicyRecommender.Recommend(Server, [tool]));

        var rule = policy.Resolve("generate_token");
        Assert.Equal(PolicyAction.Deny, rule.Action);
        Assert.False(rule.IsDefault);
        Assert.Empty(rule.Limits);
        Assert.Equal("credentials, critical risk: From the tool's definition \"Generate OAuth access token\" — issues credentials", rule.Reason);
    }

    [Fact]
    public void Financial_WithANumericAmount_HasADailySpendCapOnIt()
    {
        var tool = Classified("stk_push", ToolCategory.Financial, schema: """{"type":"object","properties":{"phone":{"type":"string"},"amount":{"type":"integer","minimum":1}}}""");

        var limits = Load(PolicyRecommender.Recommend(Server, [tool])).Resolve("stk_push").Limits;

        Assert.Equal(2, limits.Count);
        AssertLimit(limits[0], "stk_push_rate", TimeSpan.FromDays(1), 20, cost: null);
        AssertLimit(limits[1], "stk_push_spend", TimeSpan.FromDays(1), 10_000, cost: "amount");
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"amount":{"type":"string"}}}""", null)]
    [InlineData("""{"type":"object","properties":{"phone":{"type":"string"}}}""", null)]
    [InlineData("""{"type":"object"}""", null)]
    [InlineData("""{"type":"object","properties":{"count":{"type":"integer"}}}""", null)]
    [InlineData("""{"type":"object","properties":{"totalAmount":{"type":"number"}}}""", "totalAmount")]
    [InlineData("""{"type":"object","properties":{"value":{"type":"number"},"amount":{"type":["number","null"]}}}""", "amount")]
    [InlineData("""{"type":"object","properties":{"fee_cents":{"type":"integer"}}}""", "fee_cents")]
    [InlineData("""{"type":"object","properties":{"payment":{"type":"object","properties":{"amount":{"type":"number"}}}}}""", "/payment/amount")]
    [InlineData("""{"type":"object","properties":{"a/b amount":{"type":"number"}}}""", "/a~1b amount")]
    public void TheSpendCap_ExistsOnlyForANumericAmountLikeArgument(string schema, string? cost)
    {
        var tool = Classified("pay", ToolCategory.Financial, schema: schema);

        var limits = Load(PolicyRecommender.Recommend(Server, [tool])).Resolve("pay").Limits;

        Assert.Equal(cost, limits.SingleOrDefault(l => l.Cost is not null)?.Cost!.Text);
        Assert.Equal(cost is null ? 1 : 2, limits.Count);
    }

    [Theory]
    [InlineData("""{"maximum":5000}""", 5000)]
    [InlineData("""{"maximum":250000}""", 10000)]
    [InlineData("""{"minimum":20000}""", 20000)]
    [InlineData("""{"exclusiveMaximum":70000.5}""", 10000)]
    [InlineData("""{"maximum":99.5}""", 99.5)]
    public void TheSpendCap_RespectsTheSchemasBoundsForOneCall(string bounds, double cap)
    {
        var amount = JsonNode.Parse(bounds)!.AsObject();
        amount["type"] = "number";
        var schema = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["amount"] = amount } };

        var limits = Load(PolicyRecommender.Recommend(Server, [Classified("pay", ToolCategory.Financial, schema: schema.ToJsonString())])).Resolve("pay").Limits;

        Assert.Equal((decimal)cap, limits.Single(l => l.Cost is not null).Max);
    }

    [Fact]
    public void OtherCategories_NeverGetASpendCap()
    {
        const string Schema = """{"type":"object","properties":{"amount":{"type":"number"}}}""";
        var tools = Enum.GetValues<ToolCategory>().Where(c => c != ToolCategory.Financial).Select(c => Classified("t_" + CatalogNames.Of(c), c, schema: Schema)).ToArray();

        var policy = Load(PolicyRecommender.Recommend(Server, tools));

        Assert.All(policy.Rules, rule => Assert.All(rule.Limits, limit => Assert.Null(limit.Cost)));
    }

    [Fact]
    public void ToolsAreSortedByName_AndTheOutputIsByteIdentical_WhateverTheInputOrder()
    {
        var tools = new[] { Classified("zeta", ToolCategory.Read), Classified("alpha", ToolCategory.Write), Classified("Beta", ToolCategory.Execute), Classified("ähnlich", ToolCategory.Read) };

        var first = PolicyRecommender.Recommend(Server, tools);
        var again = PolicyRecommender.Recommend(Server, tools);
        var reversed = PolicyRecommender.Recommend(Server, tools.Reverse().ToArray());

        Assert.Equal(first, again);
        Assert.Equal(first, reversed);
        Assert.Equal(["Beta", "alpha", "zeta", "ähnlich"], JsonNode.Parse(first)!["tools"]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Theory]
    [InlineData("say\"hi\"")]
    [InlineData("tab\\t")]
    [InlineData("back\\slash")]
    [InlineData("a/b~c")]
    [InlineData("café")]
    [InlineData("日本語ツール")]
    [InlineData("<script>")]
    public void NamesNeedingEscaping_AreExactKeys_WithSanitisedUniqueCounters(string name)
    {
        var json = PolicyRecommender.Recommend(Server, [Classified(name, ToolCategory.Read), Classified(name + "_", ToolCategory.Read)]);
        var policy = Load(json);

        var rule = policy.Resolve(name);
        Assert.False(rule.IsDefault);
        Assert.Equal(name, rule.Key);
        var counters = policy.Rules.SelectMany(r => r.Limits).Select(l => l.Counter).ToArray();
        Assert.Equal(counters.Length, counters.Distinct(StringComparer.Ordinal).Count());
        Assert.All(counters, c => Assert.Matches("^[A-Za-z0-9_.-]+$", c));
    }

    [Fact]
    public void NamesWithAStar_AreLeftToTheDefaultDeny_AndNeverBecomePatterns()
    {
        var tools = new[] { Classified("search*", ToolCategory.Read), Classified("searchAll", ToolCategory.Destructive) };

        var recommendation = PolicyRecommender.RecommendDetailed(Server, tools);
        var policy = Load(recommendation.Json);

        Assert.True(policy.Resolve("search*").IsDefault);
        Assert.Equal(PolicyAction.Deny, policy.Resolve("search*").Action);
        Assert.Equal(PolicyAction.Approve, policy.Resolve("searchAll").Action);
        Assert.DoesNotContain("search*", recommendation.Json, StringComparison.Ordinal);
        var left = Assert.Single(recommendation.LeftToDefault);
        Assert.Equal("search*", left.Tool);
        Assert.Contains("pattern", left.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zero\u200Bwidth")]
    [InlineData("new\nline")]
    [InlineData("cafe\u0301")]
    [InlineData("")]
    public void UnusableNames_AreLeftToTheDefault_AndThePolicyStillLoadsClean(string name)
    {
        var recommendation = PolicyRecommender.RecommendDetailed(Server, [Classified(name, ToolCategory.Read), Classified("ok", ToolCategory.Read)]);

        Load(recommendation.Json);
        Assert.Equal(name, Assert.Single(recommendation.LeftToDefault).Tool);
    }

    [Fact]
    public void AnUnknownCategory_IsDenied()
    {
        var rule = Load(PolicyRecommender.Recommend(Server, [Classified("odd", (ToolCategory)99, (RiskLevel)42)])).Resolve("odd");

        Assert.Equal(PolicyAction.Deny, rule.Action);
        Assert.False(rule.IsDefault);
        Assert.StartsWith("unknown category, unknown risk", rule.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedName_GetsOneRule()
    {
        var recommendation = PolicyRecommender.RecommendDetailed(Server, [Classified("dup", ToolCategory.Read), Classified("dup", ToolCategory.Credentials)]);

        Assert.Single(Load(recommendation.Json).Rules);
        Assert.Equal("dup", Assert.Single(recommendation.LeftToDefault).Tool);
    }

    [Fact]
    public void Reasons_DropInvisibleCharacters_AndAreShortened()
    {
        var rationale = "From the tool's definition \"Gen\u200Berate\u202E token\"\n\n" + new string('x', 1_000);

        var reason = Load(PolicyRecommender.Recommend(Server, [Classified("t", ToolCategory.Credentials, rationale: rationale)])).Resolve("t").Reason!;

        Assert.StartsWith("credentials, high risk: From the tool's definition \"Generate token\" xxx", reason, StringComparison.Ordinal);
        Assert.Equal(RuleShapes.MaxReasonLength, reason.Length);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSchemaForm_Loads_WithItsSchemaFirst()
    {
        var json = PolicyRecommender.RecommendDetailed(Server, [Classified("t", ToolCategory.Read)], "../schemas/policy.schema.json").Json;

        Load(json);
        Assert.StartsWith("{\n  \"$schema\": \"../schemas/policy.schema.json\",\n  \"version\": \"1\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratedServers_AlwaysLoad_WithNoDiagnosticAtAll()
    {
        // Seeded: the same 300 servers every run, with awkward names, every category and assorted amount schemas.
        var random = new Random(6);
        string[] pieces = ["pay", "get", "_", "-", ".", "*", "\"", "\\", "/", "~", " ", "é", "e\u0301", "\u200B", "ツ", "amount", "rate", "x", "\n", "1"];
        string[] schemas =
        [
            """{"type":"object"}""",
            """{"type":"object","properties":{"amount":{"type":"number","maximum":100}}}""",
            """{"type":"object","properties":{"amount":{"type":"string"}}}""",
            """{"type":"object","properties":{"order":{"type":"object","properties":{"total":{"type":"integer","minimum":50000}}}}}""",
            """{"type":"object","properties":{"/odd~name amount":{"type":"number"}}}""",
        ];
        var categories = Enum.GetValues<ToolCategory>();
        var risks = Enum.GetValues<RiskLevel>();
        for (var server = 0; server < 300; server++)
        {
            var tools = new List<ClassifiedTool>();
            for (var t = random.Next(0, 25); t > 0; t--)
            {
                var name = string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)]));
                tools.Add(Classified(name, categories[random.Next(categories.Length)], risks[random.Next(risks.Length)], "rationale " + name, schemas[random.Next(schemas.Length)]));
            }

            var recommendation = PolicyRecommender.RecommendDetailed(new ServerContext("s" + server), tools);
            var result = PolicyLoader.LoadText("recommended.json", recommendation.Json);

            Assert.True(result.Succeeded && result.Diagnostics.Count == 0, recommendation.Json + "\n" + string.Join("\n", result.Diagnostics));
            var unusable = recommendation.LeftToDefault.Where(l => !l.Reason.Contains("more than once", StringComparison.Ordinal)).Select(l => l.Tool).Distinct(StringComparer.Ordinal).Count();
            var keyed = tools.Select(t => t.Tool.Name).Distinct(StringComparer.Ordinal).Count() - unusable;
            Assert.Equal(keyed, result.Policy!.Rules.Count);
        }
    }

    private static CompiledPolicy Load(string json)
    {
        var result = PolicyLoader.LoadText("recommended.json", json);
        Assert.True(result.Succeeded && result.Diagnostics.Count == 0, json + "\n" + string.Join("\n", result.Diagnostics));
        return result.Policy!;
    }

    private static void AssertLimit(CompiledLimit limit, string counter, TimeSpan window, decimal max, string? cost)
    {
        Assert.Equal(counter, limit.Counter);
        Assert.Equal(window, limit.Window);
        Assert.Equal(max, limit.Max);
        Assert.Equal(LimitScope.Grant, limit.Scope);
        Assert.Equal(cost, limit.Cost?.Text);
        Assert.Null(limit.By);
    }

    private static ClassifiedTool Classified(string name, ToolCategory category, RiskLevel risk = RiskLevel.High, string rationale = "because", string schema = """{"type":"object"}""")
    {
        var json = new JsonObject { ["name"] = name, ["inputSchema"] = JsonNode.Parse(schema) };
        var tool = ToolDefinition.From(JsonDocument.Parse(json.ToJsonString()).RootElement)!;
        return new ClassifiedTool(tool, new ToolClassification(category, risk, rationale, []));
    }
}
