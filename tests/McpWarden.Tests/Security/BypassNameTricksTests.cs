using System.Net;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// Names that try to reach a denied or hidden tool on the real <c>mcpwarden serve</c>: case variants, Unicode
/// look-alikes, invisible characters, padding, and confusion between <c>server__tool</c> names on <c>/mcp</c>.
/// Every attempt carries a marker in its arguments; the fixture servers' call logs prove that none arrived.
/// </summary>
[Trait("Security", "bypass")]
public sealed class BypassNameTricksTests(BypassGateway fixture) : IClassFixture<BypassGateway>, IDisposable
{
    private readonly McpHttpExchange _mcp = new();

    public void Dispose() => _mcp.Dispose();

    /// <summary>Variants of <c>delete_records</c>, which <c>payments</c> denies, and of <c>get_balance</c>, which it allows only by that exact name.</summary>
    private static readonly (string Trick, string Name, string Code)[] SingleServerRows =
    [
        ("exact denied name", "delete_records", "default_deny"),
        ("title case", "Delete_records", "unknown_tool"),
        ("upper case", "DELETE_RECORDS", "unknown_tool"),
        ("upper case of an allowed tool", "GET_BALANCE", "unknown_tool"),
        ("Cyrillic e", "d\u0435lete_records", "unknown_tool"),
        ("Greek omicron", "delete_rec\u03BFrds", "unknown_tool"),
        ("Cyrillic a in an allowed name", "get_b\u0430lance", "unknown_tool"),
        ("fullwidth letters (NFKC folds them)", "\uFF44\uFF45\uFF4C\uFF45\uFF54\uFF45_records", "unknown_tool"),
        ("fullwidth low line", "delete\uFF3Frecords", "unknown_tool"),
        ("NFD: e and a combining acute", "de\u0301lete_records", "invalid_tool_name"),
        ("NFC: precomposed e acute", "d\u00E9lete_records", "unknown_tool"),
        ("ligature fi (NFKC: fi)", "\uFB01le", "unknown_tool"),
        ("zero-width space inside", "delete\u200B_records", "invalid_tool_name"),
        ("zero-width joiner at the end of an allowed name", "get_balance\u200D", "invalid_tool_name"),
        ("byte order mark in front", "\uFEFFdelete_records", "invalid_tool_name"),
        ("right-to-left override", "\u202Esdrocer_eteled", "invalid_tool_name"),
        ("left-to-right isolate around an allowed name", "\u2066get_balance\u2069", "invalid_tool_name"),
        ("soft hyphen", "delete\u00AD_records", "invalid_tool_name"),
        ("trailing space", "delete_records ", "invalid_tool_name"),
        ("trailing space on an allowed name", "get_balance ", "invalid_tool_name"),
        ("leading space", " delete_records", "invalid_tool_name"),
        ("trailing tab", "delete_records\t", "invalid_tool_name"),
        ("leading tab on an allowed name", "\tget_balance", "invalid_tool_name"),
        ("no-break space", "delete_records\u00A0", "invalid_tool_name"),
        ("trailing newline", "delete_records\n", "invalid_tool_name"),
        ("NUL inside", "delete\u0000_records", "invalid_tool_name"),
        ("server prefix on a single-server endpoint", "payments__delete_records", "unknown_tool"),
        ("other server's prefix on a single-server endpoint", "files__delete_records", "unknown_tool"),
        ("empty name", "", "invalid_tool_name"),
    ];

    /// <summary>On <c>/mcp</c>, where <c>files</c> allows <c>delete_records</c> and <c>payments</c> denies it.</summary>
    private static readonly (string Trick, string Name, string Code)[] AggregateRows =
    [
        ("the server that denies it", "payments__delete_records", "default_deny"),
        ("one underscore", "payments_delete_records", "unknown_tool"),
        ("no prefix", "delete_records", "unknown_tool"),
        ("upper-case server", "FILES__delete_records", "unknown_tool"),
        ("upper-case tool", "files__DELETE_RECORDS", "unknown_tool"),
        ("separator first", "__files__delete_records", "unknown_tool"),
        ("three underscores", "files___delete_records", "unknown_tool"),
        ("four underscores", "payments____delete_records", "unknown_tool"),
        ("both prefixes, denying server first", "payments__files__delete_records", "unknown_tool"),
        ("both prefixes, allowing server first", "files__payments__delete_records", "unknown_tool"),
        // No server is named "files " or "files_\u200B_delete_records": the aggregate knows no such server before it looks at the tool.
        ("trailing space after the server", "files __delete_records", "unknown_tool"),
        ("zero-width space in the separator", "files_\u200B_delete_records", "unknown_tool"),
        ("Cyrillic e in the server", "fil\u0435s__delete_records", "unknown_tool"),
        ("fullwidth low lines as separator", "files\uFF3F\uFF3Fdelete_records", "unknown_tool"),
        ("a server that does not exist", "nowhere__delete_records", "unknown_tool"),
        ("trailing space on the tool", "files__delete_records ", "invalid_tool_name"),
    ];

    public static TheoryData<string, string, string> SingleServerVariants => Rows(SingleServerRows);

    public static TheoryData<string, string, string> AggregateVariants => Rows(AggregateRows);

    [Theory]
    [MemberData(nameof(SingleServerVariants))]
    public async Task SingleServer_ANameThatIsNotExactlyAnAllowedTool_IsRefusedAndNeverReachesTheServer(string trick, string name, string expected)
    {
        var marker = Marker(trick);
        var endpoint = fixture.Gateway.Endpoint("payments");
        var session = await fixture.SessionAsync(_mcp, endpoint);

        var answer = await _mcp.PostAsync(endpoint, Refusals.Call(fixture.NextId(), name, Arguments(marker)), session);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(expected, Refusals.ReasonCode(answer.Last));
        Assert.False(fixture.AnyServerReceived(marker), $"{trick}: the call reached a server");
    }

    [Theory]
    [MemberData(nameof(AggregateVariants))]
    public async Task Aggregate_ANameThatIsNotExactlyServerAndTool_IsRefusedAndNeverReachesEitherServer(string trick, string name, string expected)
    {
        var marker = Marker(trick);
        var session = await fixture.SessionAsync(_mcp, fixture.Gateway.Endpoint());

        var answer = await _mcp.PostAsync(fixture.Gateway.Endpoint(), Refusals.Call(fixture.NextId(), name, Arguments(marker)), session);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(expected, Refusals.ReasonCode(answer.Last));
        Assert.False(fixture.AnyServerReceived(marker), $"{trick}: the call reached a server");
    }

    [Fact]
    public async Task TheExactNames_DoReachTheirServer_SoTheLogsCanShowABypass()
    {
        var marker = Marker("control");
        var direct = await fixture.SessionAsync(_mcp, fixture.Gateway.Endpoint("files"));
        Assert.Null(Refusals.ReasonCode((await _mcp.PostAsync(fixture.Gateway.Endpoint("files"), Refusals.Call(fixture.NextId(), "delete_records", Arguments(marker + "-direct")), direct)).Last));
        var aggregate = await fixture.SessionAsync(_mcp, fixture.Gateway.Endpoint());
        Assert.Null(Refusals.ReasonCode((await _mcp.PostAsync(fixture.Gateway.Endpoint(), Refusals.Call(fixture.NextId(), "files__delete_records", Arguments(marker + "-aggregate")), aggregate)).Last));

        var files = fixture.CallsReceived("files").Select(c => c.GetProperty("arguments").GetProperty("table").GetString()).ToArray();
        Assert.Contains(marker + "-direct", files);
        Assert.Contains(marker + "-aggregate", files);
        Assert.DoesNotContain(fixture.CallsReceived("payments"), c => c.GetProperty("tool").GetString() == "delete_records");
    }

    [Fact]
    public async Task Stdio_EveryNameTrick_IsRefusedTheSameWay_AndNeverReachesAServer()
    {
        await RunOverStdioAsync(["--server", "payments"], SingleServerRows);
        await RunOverStdioAsync([], AggregateRows);
    }

    /// <summary>Sends every row's call to one <c>mcpwarden stdio</c> process and checks each answer and both call logs.</summary>
    private async Task RunOverStdioAsync(string[] arguments, (string Trick, string Name, string Code)[] rows)
    {
        await using var gateway = StdioGatewayProcess.Start(fixture.Configuration, arguments: arguments);
        await gateway.InitializeAsync();
        var markers = new List<string>();
        for (var i = 0; i < rows.Length; i++)
        {
            var marker = Marker(rows[i].Trick);
            markers.Add(marker);
            await gateway.SendAsync(Refusals.Call(i, rows[i].Name, Arguments(marker)));
            Assert.True(rows[i].Code == Refusals.ReasonCode(await gateway.AnswerToAsync(i)), $"stdio {string.Join(' ', arguments)}: {rows[i].Trick}");
        }

        Assert.Equal(0, await gateway.CloseAsync());
        Assert.DoesNotContain(markers, fixture.AnyServerReceived);
    }

    private static TheoryData<string, string, string> Rows((string Trick, string Name, string Code)[] rows)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (trick, name, code) in rows)
        {
            data.Add(trick, name, code);
        }

        return data;
    }

    /// <summary>A value no other attempt uses, put in the arguments so the call logs can be searched for it.</summary>
    private static string Marker(string trick) => "marker-" + trick.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");

    private static string Arguments(string marker) => $$"""{"table":"{{marker}}","ids":["{{marker}}"]}""";
}
