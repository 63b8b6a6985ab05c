using System.Text.Json;

namespace McpWarden.Tests.Security;

/// <summary>
/// One case of the hostile-input corpus (tests/security/corpus/*.json): what is sent, into which session, and
/// the answer each front owes it. The format is described in that folder's README.md.
/// </summary>
internal sealed record HostileInputCase(
    string Category,
    string Name,
    string Why,
    IReadOnlyList<string> Tags,
    bool Uninitialized,
    string Body,
    HttpShape Http,
    string? HttpOnly,
    string? StdioOnly,
    ExpectedAnswer ForHttp,
    ExpectedAnswer ForStdio)
{
    /// <summary>The key a theory row carries: <c>category/name</c>.</summary>
    public string Key => Category + "/" + Name;

    public bool SentOverHttp => StdioOnly is null;

    public bool SentOverStdio => HttpOnly is null;

    public static HostileInputCase Read(string category, JsonElement json)
    {
        var expect = json.TryGetProperty("expect", out var common) ? common : default;
        return new HostileInputCase(
            category,
            Required(json, "name"),
            Required(json, "why"),
            json.TryGetProperty("tags", out var tags) ? [.. tags.EnumerateArray().Select(t => t.GetString()!)] : [],
            Optional(json, "state") switch
            {
                null or "initialized" => false,
                "uninitialized" => true,
                var other => throw new InvalidDataException($"{category}/{json.GetProperty("name")}: state must be initialized or uninitialized, not {other}"),
            },
            json.TryGetProperty("body", out var body) ? body.GetString()! : string.Empty,
            HttpShape.Read(json.TryGetProperty("http", out var http) ? http : default),
            Optional(json, "httpOnly"),
            Optional(json, "stdioOnly"),
            ExpectedAnswer.Read(expect, json.TryGetProperty("expectHttp", out var forHttp) ? forHttp : default),
            ExpectedAnswer.Read(expect, json.TryGetProperty("expectStdio", out var forStdio) ? forStdio : default));
    }

    private static string Required(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0
            ? value.GetString()!
            : throw new InvalidDataException($"a corpus case lacks \"{name}\": {json}");

    private static string? Optional(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) ? value.GetString() : null;
}

/// <summary>How a case travels over HTTP: method, path, session, and the headers added to or taken from a client's usual ones.</summary>
internal sealed record HttpShape(string Method, string Path, string? Session, IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> OmitHeaders)
{
    public static HttpShape Read(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return new HttpShape("POST", "/mcp/payments", null, new Dictionary<string, string>(), []);
        }

        return new HttpShape(
            json.TryGetProperty("method", out var method) ? method.GetString()! : "POST",
            json.TryGetProperty("path", out var path) ? path.GetString()! : "/mcp/payments",
            json.TryGetProperty("session", out var session) ? session.GetString() : null,
            json.TryGetProperty("headers", out var headers) ? headers.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!) : new Dictionary<string, string>(),
            json.TryGetProperty("omitHeaders", out var omit) ? [.. omit.EnumerateArray().Select(h => h.GetString()!)] : []);
    }
}

/// <summary>
/// The answer one front owes a case: none at all, a JSON-RPC error (code, a fragment of its message, its id),
/// a result, or a tool result refused by the policy; on HTTP also the status. <see cref="Calls"/> is how many
/// tool calls the fixture server runs because of the case (0 unless said), and <see cref="Ran"/> the tool they
/// all were, when said.
/// </summary>
internal sealed record ExpectedAnswer(bool None, int? Code, string? Message, JsonElement Id, bool Result, string? Denial, int? Status, bool EmptyBody, int Calls, string? Ran, int Count)
{
    public static ExpectedAnswer Read(JsonElement common, JsonElement overrides)
    {
        // An override that names another kind of answer replaces the common one's kind and message.
        var ownKind = overrides.ValueKind == JsonValueKind.Object && Kinds.Any(k => overrides.TryGetProperty(k, out _));
        JsonElement? Field(string name) =>
            overrides.ValueKind == JsonValueKind.Object && overrides.TryGetProperty(name, out var o) ? o
            : ownKind && (name == "message" || Kinds.Contains(name)) ? null
            : common.ValueKind == JsonValueKind.Object && common.TryGetProperty(name, out var c) ? c
            : null;

        var expected = new ExpectedAnswer(
            Field("none")?.GetBoolean() ?? false,
            Field("code")?.GetInt32(),
            Field("message")?.GetString(),
            Field("id")?.Clone() ?? NullId,
            Field("result")?.GetBoolean() ?? false,
            Field("denial")?.GetString(),
            Field("status")?.GetInt32(),
            Field("emptyBody")?.GetBoolean() ?? false,
            Field("calls")?.GetInt32() ?? 0,
            Field("ran")?.GetString(),
            Field("count")?.GetInt32() ?? 1);
        var kinds = (expected.None ? 1 : 0) + (expected.Code is null ? 0 : 1) + (expected.Result ? 1 : 0) + (expected.Denial is null ? 0 : 1) + (expected.EmptyBody ? 1 : 0);
        if (kinds != 1)
        {
            throw new InvalidDataException($"an expectation must be exactly one of none, code, result, denial, emptyBody: {common} {overrides}");
        }

        if (expected.Code is not null && string.IsNullOrEmpty(expected.Message))
        {
            throw new InvalidDataException($"an expected error must name a fragment of its message: {common} {overrides}");
        }

        return expected;
    }

    private static readonly string[] Kinds = ["none", "code", "result", "denial", "emptyBody"];

    private static readonly JsonElement NullId = JsonDocument.Parse("null").RootElement.Clone();
}
