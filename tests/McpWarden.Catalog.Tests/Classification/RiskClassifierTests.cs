using System.Text.Json;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;
using Xunit;

namespace McpWarden.Catalog.Tests.Classification;

public sealed class RiskClassifierTests
{
    private static readonly ServerContext Plain = new("tools");

    [Theory]
    [InlineData("list_items", "Lists the items", "read", "low")]
    [InlineData("create_item", "Creates an item", "write", "medium")]
    [InlineData("delete_item", "Deletes one item", "destructive", "high")]
    [InlineData("purge_items", "Permanently purges the items. This cannot be undone", "destructive", "critical")]
    [InlineData("run_workflow", "Starts a workflow", "execute", "high")]
    [InlineData("send_message", "Sends a message to a user", "communication", "high")]
    [InlineData("create_payout", "Creates a payout to a recipient", "financial", "critical")]
    [InlineData("create_payment_link", "Creates a payment link", "financial", "high")]
    [InlineData("get_api_key", "Returns the API key", "credentials", "critical")]
    [InlineData("revoke_token", "Revokes a token", "credentials", "high")]
    [InlineData("print_env", "Prints the environment variables", "credentials", "high")]
    [InlineData("read_file", "Reads a file", "read", "medium")]
    [InlineData("fetch_page", "Fetches a web page by URL", "read", "medium")]
    [InlineData("get_balance", "Returns the account balance", "read", "medium")]
    [InlineData("frobnicate", "Frobnicates", "write", "medium")]
    public void Classify_EachRuleFromTheName_GivesItsCategoryAndRisk(string name, string description, string category, string risk)
    {
        var got = Classify(Tool(name, description));

        Assert.Equal((category, risk), (CatalogNames.Of(got.Category), CatalogNames.Of(got.Risk)));
    }

    [Theory]
    [InlineData("Starts an Onfido Studio workflow run", "execute")]
    [InlineData("Returns the current time", "read")]
    [InlineData("Permanently deletes the widget", "destructive")]
    [InlineData("Sends an email to the team", "communication")]
    public void Classify_NameSilent_TheDescriptionsLeadingVerbDecides(string description, string category) =>
        Assert.Equal(category, CatalogNames.Of(Classify(Tool("widget_op", description)).Category));

    [Fact]
    public void Classify_OnfidoWorkflowRun_QuotesTheDefinition()
    {
        var got = Classify(Tool("studio_op", "Start an Onfido Studio workflow run"));

        Assert.StartsWith("From the tool's definition \"Start an Onfido Studio workflow run\" — ", got.Rationale, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("get_thread", "Gets a thread")]      // "read" inside "thread"
    [InlineData("display_settings", "Shows the display settings; does not delete or change anything")] // "pay" in "display", a negated "delete"
    [InlineData("list_spreadsheets", "Lists spreadsheets")]
    public void Classify_WordsInsideWordsAndNegations_DoNotCount(string name, string description)
    {
        var got = Classify(Tool(name, description));

        Assert.Equal((ToolCategory.Read, RiskLevel.Low), (got.Category, got.Risk));
    }

    [Fact]
    public void Classify_CamelAndKebabNames_SplitIntoWords()
    {
        Assert.Equal(ToolCategory.Destructive, Classify(Tool("deleteUserAccount", "")).Category);
        Assert.Equal(ToolCategory.Destructive, Classify(Tool("delete-user-account", "")).Category);
        Assert.Equal(ToolCategory.Write, Classify(Tool("undeleteUser", "")).Category); // "undelete" is not "delete"; nothing else → pessimistic write
    }

    [Fact]
    public void Classify_APaymentClaimingReadOnlyAndNotDestructive_StaysFinancial()
    {
        var got = Classify(Tool("b2c_payment", "Sends money to a customer's wallet", annotations: """{"readOnlyHint":true,"destructiveHint":false,"openWorldHint":false}"""));

        Assert.Equal((ToolCategory.Financial, RiskLevel.Critical), (got.Category, got.Risk));
        Assert.Contains("not believed", got.Rationale, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DestructiveHintOnAWrite_RaisesToHigh()
    {
        var plain = Classify(Tool("edit_note", "Edits a note"));
        var hinted = Classify(Tool("edit_note", "Edits a note", annotations: """{"readOnlyHint":false,"destructiveHint":true}"""));

        Assert.Equal(RiskLevel.Medium, plain.Risk);
        Assert.Equal((ToolCategory.Write, RiskLevel.High), (hinted.Category, hinted.Risk));
    }

    [Fact]
    public void Classify_OpenWorldHintOnARead_RaisesToMedium()
    {
        Assert.Equal(RiskLevel.Low, Classify(Tool("list_items", "Lists items")).Risk);
        Assert.Equal(RiskLevel.Medium, Classify(Tool("list_items", "Lists items", annotations: """{"readOnlyHint":true,"openWorldHint":true}""")).Risk);
    }

    [Fact]
    public void Classify_OnlyAReadOnlyHint_IsAReadAndNoEvidenceAtAll_IsAPessimisticWrite()
    {
        Assert.Equal((ToolCategory.Read, RiskLevel.Low), Pair(Classify(Tool("widget", "", annotations: """{"readOnlyHint":true}"""))));
        Assert.Equal((ToolCategory.Write, RiskLevel.Medium), Pair(Classify(Tool("widget", ""))));
    }

    [Fact]
    public void Classify_ReadOnlyFalseDeclaredOnAReadWording_IsAWrite() =>
        Assert.Equal(ToolCategory.Write, Classify(Tool("query_things", "Queries things", annotations: """{"readOnlyHint":false}""")).Category);

    [Theory]
    [InlineData("delete_payment", "financial")]            // money beats destruction: approval plus a spend cap
    [InlineData("delete_api_token", "credentials")]         // secrets beat everything
    [InlineData("run_delete_job", "destructive")]           // destruction beats execution
    [InlineData("send_and_update", "communication")]        // communication beats write
    public void Classify_SeveralCategories_ThePrecedenceDecides(string name, string category) =>
        Assert.Equal(category, CatalogNames.Of(Classify(Tool(name, "")).Category));

    [Fact]
    public void Classify_SchemaShapes_GiveTheirMeaning()
    {
        Assert.Equal((ToolCategory.Execute, RiskLevel.Critical), Pair(Classify(Tool("do_it", "", """{"command":{"type":"string"}}"""))));
        Assert.Equal(ToolCategory.Communication, Classify(Tool("deliver", "", """{"to":{"type":"string"},"subject":{"type":"string"},"body":{"type":"string"}}""")).Category);
        Assert.Equal(ToolCategory.Financial, Classify(Tool("make_thing", "", """{"amount":{"type":"number"},"currency":{"type":"string"}}""")).Category);
        Assert.Equal(ToolCategory.Write, Classify(Tool("make_thing", "", """{"amount":{"type":"number"}}""")).Category); // an amount alone is not money
        Assert.Equal(ToolCategory.Write, Classify(Tool("make_thing", "", """{"command_id":{"type":"string"}}""")).Category); // an id, not a command
        Assert.Equal(ToolCategory.Financial, Classify(Tool("make_thing", "", """{"batch":{"type":"array","items":{"type":"object","properties":{"amount":{"type":"number"},"recipient":{"type":"string"}}}}}""")).Category); // nested
    }

    [Fact]
    public void Classify_OutputSchemaReturningAToken_IsCredentials()
    {
        var tool = Read("""{"name":"login","description":"Logs in","inputSchema":{"type":"object"},"outputSchema":{"type":"object","properties":{"access_token":{"type":"string"}}}}""");

        Assert.Equal((ToolCategory.Credentials, RiskLevel.Critical), Pair(Classify(tool)));
    }

    [Fact]
    public void Classify_APaymentsServer_MakesAnAmountAndATransferMoney()
    {
        var tool = Tool("transfer", "Transfers the amount", """{"amount":{"type":"number"},"target":{"type":"string"}}""");

        Assert.Equal(ToolCategory.Write, Classify(tool).Category);
        Assert.Equal((ToolCategory.Financial, RiskLevel.Critical), Pair(RiskClassifier.Classify(tool, new ServerContext("daraja"))));
        Assert.Equal(ToolCategory.Financial, RiskClassifier.Classify(tool, new ServerContext("x", InfoName: "stripe-mcp")).Category);
    }

    [Fact]
    public void Classify_ASecretsServer_MakesItsToolsCredentials() =>
        Assert.Equal(ToolCategory.Credentials, RiskClassifier.Classify(Tool("get", "Gets the value at a path"), new ServerContext("vault")).Category);

    [Fact]
    public void Classify_NameEvidence_BeatsTheDescriptionsLaterWords()
    {
        // "runs" late in the description must not make a read an execution.
        Assert.Equal(ToolCategory.Read, Classify(Tool("get_report", "Returns the report; the export runs nightly")).Category);
    }

    [Fact]
    public void Classify_Rationale_ShortensAndEscapesQuotes()
    {
        var got = Classify(Tool("delete_x", "Deletes\u200B the x" + new string('y', 200)));
        var fromDescription = Classify(Tool("x", "Deletes\u202E everything " + new string('y', 200)));

        Assert.DoesNotContain('\u202E', fromDescription.Rationale);
        Assert.Contains("\\u202E", fromDescription.Rationale, StringComparison.Ordinal);
        Assert.Contains("…", fromDescription.Rationale, StringComparison.Ordinal);
        Assert.All(got.Evidence, e => Assert.True(e.Quote.Length <= RiskClassifier.QuoteLength + 1));
    }

    [Fact]
    public void Classify_IsDeterministic()
    {
        var tool = Tool("daraja_b2c_payment", "Send money from business to customer (B2C)", """{"amount":{"type":"number"}}""");
        var first = RiskClassifier.Classify(tool, new ServerContext("daraja"));
        var second = RiskClassifier.Classify(tool, new ServerContext("daraja"));

        Assert.Equal((first.Category, first.Risk, first.Rationale), (second.Category, second.Risk, second.Rationale));
        Assert.Equal(first.Evidence, second.Evidence);
    }

    [Fact]
    public void Rules_EveryActionAndSubjectRow_MatchesItsOwnPhraseInAName()
    {
        foreach (var rule in ClassifierRules.Actions.Concat(ClassifierRules.Subjects).Concat(ClassifierRules.NameOnly))
        {
            var tool = Tool(string.Join('_', rule.Words), "");
            var hits = SignalReader.Read(tool, Plain);
            Assert.Contains(hits, h => h.Signal == rule.Signal && h.Word == rule.Phrase && h.Source == SignalSource.Name);
        }
    }

    [Theory]
    [InlineData("getUserName", "get user name")]
    [InlineData("HTTPServer_start", "http server start")]
    [InlineData("read-text_file", "read text file")]
    [InlineData("daraja_b2c_payment", "daraja b2c payment")]
    public void WordSplitter_SplitsCasesAndSeparators(string text, string words) =>
        Assert.Equal(words, string.Join(' ', WordSplitter.Split(text)));

    private static (ToolCategory, RiskLevel) Pair(ToolClassification c) => (c.Category, c.Risk);

    private static ToolClassification Classify(ToolDefinition tool) => RiskClassifier.Classify(tool, Plain);

    private static ToolDefinition Tool(string name, string description, string properties = "{}", string? annotations = null) =>
        Read($$"""{"name":{{JsonSerializer.Serialize(name)}},"description":{{JsonSerializer.Serialize(description)}},"inputSchema":{"type":"object","properties":{{properties}}}{{(annotations is null ? "" : ",\"annotations\":" + annotations)}}}""");

    private static ToolDefinition Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ToolDefinition.From(document.RootElement)!;
    }
}
