using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace McpWarden.Fuzzing.Tests.Generators;

/// <summary>
/// The generators: seeds mutated by what breaks parsers and loaders (keys dropped, doubled or renamed at
/// any depth, values of the wrong type, extreme numbers, hostile Unicode, deep nesting, long strings, then
/// cut, invalid UTF-8, BOM and NUL bytes), and raw bytes.
/// </summary>
internal static class FuzzGen
{
    /// <summary>Every field name of the policy, configuration, test file and JSON-RPC formats, so that renamed keys land on real fields in the wrong place.</summary>
    private static readonly string[] KnownKeys =
    [
        "$schema", "version", "default", "tools", "action", "reason", "limits", "rate_limit", "arguments", "approval",
        "timeout", "via", "counter", "window", "max", "scope", "by", "cost", "type", "properties", "required", "items",
        "pattern", "minimum", "maximum", "exclusiveMinimum", "enum", "const", "$ref", "$defs", "definitions",
        "additionalProperties", "anyOf", "allOf", "oneOf", "not", "format", "minLength", "maxLength", "multipleOf",
        "mcpServers", "grants", "admin", "store", "mode", "maxMessageBytes", "audit", "command", "args", "env", "cwd",
        "url", "headers", "policy", "keySha256", "servers", "tokenSha256", "path", "redis", "synchronous",
        "recordArguments", "redact", "jsonrpc", "id", "method", "params", "result", "error", "code", "message", "data",
        "name", "_meta", "progressToken", "cursor", "protocolVersion", "capabilities", "clientInfo", "cases", "steps",
        "call", "expect", "advance", "grant", "session", "repeat", "rule", "retryAfter", "expectDiagnostics",
        "description", "inputSchema", "outputSchema", "annotations", "changed", "line", "column",
    ];

    /// <summary>Text that has broken parsers before: bidi overrides, zero-width and format characters, NFD forms, NUL, noncharacters, emoji, near-miss keywords.</summary>
    private static readonly string[] HostileText =
    [
        "", " ", "\t", "\n", "\0", "\u0000a", "a\u0000", "\u202e", "abc\u202edef", "\u2066x\u2069", "\u200b", "get\u200b_balance",
        "\u200d", "\ufeff", "\ufeffversion", "\u00ad", "e\u0301", "\u00e9", "\uff56ersion", "ｖｅｒｓｉｏｎ", "\uffff", "\ufffe",
        "\U0001F600", "\U0010FFFF", "\u0661\u0662", "日本語", "Version", "VERSION", "version ", " version", "versi0n",
        "*", "**", "*_*", "get_*", "*_balance", "a*b*c", "__", "payments__get_balance", "../../etc/passwd", "/", "//", "~0", "~1",
        "/tools/x", "#", "#/$defs/a", "#/definitions/missing", "${HOME}", "${UNSET_VARIABLE}", "$${HOME}", "${", "${}", "${A",
        "allow", "deny", "approve", "Allow", "DENY", "block", "1", "2", "0", "1.0", "minute", "second", "hour", "day", "week",
        "fortnight", "60s", "1m", "P1D", "grant", "global", "session", "user", "tool", "stdio", "http", "sse", "enforce",
        "observe", "normal", "full", "2.0", "1.0", "tools/call", "tools/list", "initialize", "notifications/initialized",
        "http://127.0.0.1:1/mcp", "https://[::1]:65536/", "http://", "file:///etc/passwd", "javascript:alert(1)",
        "policies/payments.json", "policies/everything.json", "policies", "policies/missing.json", "/dev/zero", "/dev/null",
        "/proc/self/status", "/", ".", "localhost:6379", "localhost:0", "host:99999", ":6379", "^(a+)+$", "[", "(?<x>", "\\p{",
        new string('a', 64), new string('0', 64), new string('F', 63) + "g", "amount", "/amount", "/0", "-",
    ];

    /// <summary>Numbers at the edges of every parser: -0, 1e400, 2^31, 2^63, 2^64, long mantissas, tiny exponents.</summary>
    private static readonly string[] ExtremeNumbers =
    [
        "0", "-0", "1", "-1", "0.5", "1.5", "-0.0", "1e400", "-1e400", "1e-400", "1E2", "1e+2", "5000", "5001", "20000", "60", "86400",
        "3600", "3601", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "123456789012345678901234567890123456789", "0.1000000000000000055511151231257827",
        "4.9e-324", "1.7976931348623157e308", "1024", "1023", "67108864", "67108865",
    ];

    /// <summary>Texts that are not valid JSON or not valid Unicode once parsed.</summary>
    private static readonly string[] BrokenValues =
    [
        "\"\\ud800\"", "\"a\\udc00b\"", "\"\\ud800\\u0041\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"\\x41\"", "\"\\u12\"",
        "'single'", "NaN", "Infinity", "-Infinity", "undefined", "01", "1.", ".5", "+1", "0x10", "tru", "nul", "\"unterminated",
        "[1,]", "{\"a\":1,}", "{,}", "[,1]", "/* comment */ 1", "// comment\n1", "{\"a\" 1}", "{1:2}", "\"\t\"",
    ];

    private static readonly byte[][] HostileBytes =
    [
        [0xEF, 0xBB, 0xBF], [0x00], [0xFF], [0xFE, 0xFF], [0xC0, 0x80], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x80, 0xAE], [0xE2, 0x80, 0x8B], [0x0D], [0x0A], [0x0D, 0x0A],
        [0x1B, 0x5B, 0x33, 0x31, 0x6D], [(byte)'"'], [(byte)'\\'], [(byte)'{'], [(byte)'}'], [(byte)'['], [(byte)']'], [(byte)','],
        [(byte)':'], "\\ud800"u8.ToArray(), "\\u0000"u8.ToArray(), "null"u8.ToArray(), "1e400"u8.ToArray(),
    ];

    private static readonly char[] RandomTextAlphabet =
        "aZ09_-.*/ \"\\\u0000\u0007\u001f\u007f\u0085\u00a0\u00e9\u0301\u200b\u200d\u202e\u2066\u2028\u2029\ufeff\uffff\u4e2d\u0627".ToCharArray();

    /// <summary>A key: a known field, hostile text, or random text.</summary>
    public static Gen<string> Key { get; } = Gen.Frequency(
        (6, Gen.Elements(KnownKeys)),
        (3, Gen.Elements(HostileText)),
        (1, RandomText(40)));

    /// <summary>Raw JSON text for a value: each type, extreme numbers, hostile or long strings, deep nesting, broken text.</summary>
    public static Gen<string> Value { get; } = Gen.Frequency(
        (4, Gen.Elements(ExtremeNumbers)),
        (5, Gen.Elements(HostileText).Select(JsonTree.Literal)),
        (2, Gen.Elements("true", "false", "null", "{}", "[]", "[1]", "[\"a\"]", "{\"a\":1}", "[[]]", "{\"\":{}}")),
        (2, Gen.Elements(BrokenValues)),
        (1, RandomText(200).Select(JsonTree.Literal)),
        (1, Gen.Choose(1_000, 200_000).SelectMany(length => Gen.Elements('a', '\u00e9', '\u200b', '"').Select(c => JsonTree.Literal(new string(c, length))))),
        (1, Gen.Choose(1, 300).SelectMany(depth => Gen.Elements("[", "{\"a\":").Select(open => Nest(open, depth)))));

    public static Gen<Mutation> Mutation { get; } =
        from kind in Gen.Elements(Enum.GetValues<MutationKind>())
        from target in Gen.Choose(0, 10_000)
        from slot in Gen.Choose(0, 10_000)
        from key in Key
        from value in Value
        select new Mutation(kind, target, slot, key, value);

    public static Gen<ByteMutation> ByteMutation { get; } =
        from kind in Gen.Elements(Enum.GetValues<ByteMutationKind>())
        from position in Gen.Choose(0, int.MaxValue - 1)
        from bytes in Gen.Frequency(
            (4, Gen.Elements(HostileBytes)),
            (1, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Select(a => a.Take(16).ToArray())))
        select new ByteMutation(kind, position, bytes);

    /// <summary>Bytes with no structure, or made only of JSON's own characters (which gets further into a parser).</summary>
    public static Gen<byte[]> RawBytes { get; } = Gen.Frequency(
        (1, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()),
        (1, Gen.Elements("{}[]\":,0123456789-+.eEtrufalsn \t\r\n\\/u"u8.ToArray()).ArrayOf()));

    /// <summary>
    /// Cases from the seeds: a tenth unchanged (they must be accepted), most with one to four tree mutations
    /// and sometimes byte mutations, and a tenth raw bytes.
    /// </summary>
    public static Gen<FuzzCase> Cases(IReadOnlyList<Seed> seeds) => Gen.Frequency(
        (1, Gen.Elements(seeds.ToArray()).Select(seed => new FuzzCase(seed, [], []))),
        (8, from seed in Gen.Elements(seeds.ToArray())
            from treeCount in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 4)))
            from mutations in Mutation.ListOf(treeCount)
            from byteCount in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 2)))
            from byteMutations in ByteMutation.ListOf(byteCount)
            select new FuzzCase(seed, mutations.ToList(), byteMutations.ToList())),
        (1, RawBytes.Select(bytes => new FuzzCase(bytes))));

    private static Gen<string> RandomText(int maxLength) =>
        from length in Gen.Choose(0, maxLength)
        from chars in Gen.Elements(RandomTextAlphabet).ListOf(length)
        select new string(chars.ToArray());

    private static string Nest(string open, int depth)
    {
        var text = new StringBuilder();
        text.Insert(0, open, depth).Append('1').Append(open == "[" ? ']' : '}', depth);
        return text.ToString();
    }
}
