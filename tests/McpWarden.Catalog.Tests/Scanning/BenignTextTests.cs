using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Scanning;
using McpWarden.Testing;
using Xunit;
using static McpWarden.Catalog.Tests.Scanning.ScanTools;

namespace McpWarden.Catalog.Tests.Scanning;

/// <summary>
/// Precision: ordinary descriptions that come close to a rule, and the real servers' own definitions (the
/// tools/list answers of server-everything, filesystem, memory, the Daraja server and the fixture, kept in
/// tests/catalog/labelled), must produce no finding at all.
/// </summary>
public sealed class BenignTextTests
{
    // The scanned server has a search tool of its own, so "the search tool" is its own.
    private static readonly ScanContext Others = WithOthers("files", ("search", ["search", "echo", "pay"]), ("mail", ["send_email"])) with { OwnTools = ["search"] };

    [Theory]
    [InlineData("Deletes the file. Use with care.")]
    [InlineData("Returns the user's API key status")]
    [InlineData("Ignore case when matching")]
    [InlineData("Search syntax is documented at https://docs.example.com/tools/search.")]
    [InlineData("Sends an SMS to the given phone number.")]
    [InlineData("Sends a webhook payload to the callback_url provided by the caller.")]
    [InlineData("Email address of the recipient, e.g. jane@example.com")]
    [InlineData("Contact support at help@example.com if the export fails.")]
    [InlineData("Use the search tool to find entities by name.")]
    [InlineData("Before using this tool, make sure the directory exists.")]
    [InlineData("The password must be at least 12 characters long.")]
    [InlineData("Uploads a file to the bucket and returns its key.")]
    [InlineData("Read the first N lines of a file.")]
    [InlineData("Returns the system status and the time of the last restart.")]
    [InlineData("Accepts generic types such as List<T> and paths like <project>/src.")]
    [InlineData("Permanently deletes entities; this cannot be undone.")]
    [InlineData("Echoes the message back. Search results are paged.")]
    [InlineData("Generates an access token for the API, valid for one hour.")]
    [InlineData("Reads the environment variables of the server process, for debugging.")]
    [InlineData("Sends money from the business account to a customer's wallet.")]
    [InlineData("You must provide either an id or a name.")]
    [InlineData("Keeps the previous instructions of a workflow as history.")]
    [InlineData("Family 👨‍👩‍👧 and flag 🏴󠁧󠁢󠁳󠁣󠁴󠁿 and warning ⚠️ emoji render as one glyph.")]
    [InlineData("\uFEFFStarts with a byte order mark.")]
    [InlineData("Noms accentués: café, naïve, Zoë; 日本語のテキスト; نص عربي; טקסט בעברית")]
    [InlineData("Tabs\tand\nnew lines\r\nare fine.")]
    [InlineData("Reads process.env.PORT to choose the port.")]
    [InlineData("Calls GET https://api.example.com/users/{id}?fields={fields} and returns the user.")]
    [InlineData("![build](https://img.shields.io/badge/build-passing-green?style=flat) Build status of the repository.")]
    [InlineData("Loads its settings from the project's .env file at startup.")]
    [InlineData("Settings live in ~/.config/notes/settings.json.")]
    [InlineData("Transfers the amount to the account given; pass the amount in cents.")]
    public void OrdinaryDescriptions_ProduceNoFinding(string description)
    {
        var findings = PoisoningScanner.Scan(Described(description), Others);

        Assert.True(findings.Count == 0, Show(findings));
    }

    [Theory]
    [InlineData("ignore_case")]
    [InlineData("previousInstructions")]
    [InlineData("callback_url")]
    [InlineData("api_key_id")]
    [InlineData("send_to")]
    public void OrdinaryPropertyNames_ProduceNoFinding(string property)
    {
        var findings = PoisoningScanner.Scan(WithProperty(property, new JsonObject { ["type"] = "string" }), Others);

        Assert.True(findings.Count == 0, Show(findings));
    }

    public static TheoryData<string> Servers => ["everything", "filesystem", "memory", "daraja", "fixture"];

    [Theory]
    [MemberData(nameof(Servers))]
    public void TheRealServers_ProduceNoFinding_EvenBesideEachOther(string server)
    {
        var all = RealServers();
        var others = all.Where(pair => pair.Key != server).ToDictionary(pair => pair.Key, pair => (IReadOnlyCollection<string>)pair.Value.Tools.Select(t => t.Name).ToArray());
        var (tools, instructions) = all[server];
        // Without OwnTools: the servers' own cross-references must not need it.
        var context = new ScanContext(server, others);

        var findings = tools.SelectMany(tool => PoisoningScanner.Scan(tool, context).Select(f => f with { Path = tool.Name + f.Path })).ToList();
        if (instructions is not null)
        {
            findings.AddRange(PoisoningScanner.ScanInstructions(instructions, context));
        }

        Assert.True(tools.Count > 0);
        Assert.True(findings.Count == 0, Show(findings));
    }

    [Fact]
    public void TheSamePackageConfiguredTwice_DoesNotShadowItself()
    {
        var filesystem = RealServers()["filesystem"].Tools;
        var names = filesystem.Select(t => t.Name).ToArray();
        var context = new ScanContext("files-a", new Dictionary<string, IReadOnlyCollection<string>> { ["files-b"] = names }) { OwnTools = names };

        Assert.Empty(filesystem.SelectMany(tool => PoisoningScanner.Scan(tool, context)));
    }

    /// <summary>The captured servers of the labelled set (tests/catalog/labelled), which a live test keeps true to the real servers.</summary>
    internal static Dictionary<string, (IReadOnlyList<ToolDefinition> Tools, string? Instructions)> RealServers()
    {
        var servers = new Dictionary<string, (IReadOnlyList<ToolDefinition> Tools, string? Instructions)>(StringComparer.Ordinal);
        foreach (var name in new[] { "everything", "filesystem", "memory", "daraja", "fixture" })
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "catalog", "labelled", name + ".json")));
            var root = document.RootElement;
            servers[name] = (ToolDefinition.ListFrom(root.GetProperty("tools")), root.GetProperty("instructions").ValueKind == JsonValueKind.String ? root.GetProperty("instructions").GetString() : null);
        }

        return servers;
    }
}
