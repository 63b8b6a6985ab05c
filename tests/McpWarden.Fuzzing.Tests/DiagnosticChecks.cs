using System.Globalization;
using System.Text.Json;
using McpWarden.Policy.Diagnostics;
using Xunit;

namespace McpWarden.Fuzzing.Tests;

/// <summary>What every diagnostic a loader returns must be: a catalogued code, a place, a message, one printable line.</summary>
internal static class DiagnosticChecks
{
    /// <summary>Messages quote the input shortened; one far longer than this echoes the input whole.</summary>
    private const int MaxMessageLength = 1_000;

    private static readonly HashSet<string> Catalogue = DiagnosticCodes.All.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Checks every diagnostic, and that the result is used exactly when there is no error.
    /// <paramref name="root"/> (the parsed document, when it parsed) is where paths of <paramref name="source"/> must lead.
    /// </summary>
    public static Outcome Check(IReadOnlyList<Diagnostic> diagnostics, bool loaded, string source, JsonElement? root)
    {
        foreach (var diagnostic in diagnostics)
        {
            Assert.True(Catalogue.Contains(diagnostic.Code), $"diagnostic code {diagnostic.Code} is not in the catalogue: {diagnostic}");
            Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message), $"diagnostic {diagnostic.Code} has no message: {diagnostic}");
            if (diagnostic.Message.Length > MaxMessageLength)
            {
                Assert.Fail($"diagnostic {diagnostic.Code} echoes {diagnostic.Message.Length} characters: {diagnostic.Message[..200]}…");
            }

            Assert.False(string.IsNullOrWhiteSpace(diagnostic.Source), $"diagnostic {diagnostic.Code} names no source: {diagnostic}");
            Assert.True(diagnostic.Path.Length == 0 || diagnostic.Path[0] == '/', $"diagnostic {diagnostic.Code} has a path that is not a JSON Pointer: {diagnostic}");
            Assert.True(diagnostic.Position is { Line: >= 1, Column: >= 1 }, $"diagnostic {diagnostic.Code} has no line and column: {diagnostic}");

            // `mcpwarden check` prints one diagnostic per line: hostile text must not break the line or reach a terminal as control or bidi characters.
            var line = diagnostic.ToString();
            var hidden = line.FirstOrDefault(c => char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format);
            Assert.True(hidden == default, $"diagnostic {diagnostic.Code} prints the hidden character U+{(int)hidden:X4}: {JsonSerializer.Serialize(line)}");

            if (root is { } document && diagnostic.Source == source && !Leads(document, diagnostic.Path))
            {
                Assert.Fail($"diagnostic {diagnostic.Code} points at {diagnostic.Path}, which is neither in the document nor a member missing from an object in it: {diagnostic}");
            }
        }

        var errors = diagnostics.Count(d => d.IsError);
        Assert.True(loaded == (errors == 0), loaded
            ? $"the document was used despite {errors} errors: {string.Join("; ", diagnostics)}"
            : $"the document was refused without an error diagnostic: {string.Join("; ", diagnostics)}");
        return loaded ? Outcome.Accepted : Outcome.Refused;
    }

    /// <summary>
    /// Whether a JSON Pointer names a value in the document, or a member missing from an object in it. Every
    /// member of a duplicated key is a way down, since the document has both.
    /// </summary>
    private static bool Leads(JsonElement root, string pointer) =>
        pointer.Length == 0 || Leads(root, pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray(), 0);

    private static bool Leads(JsonElement current, string[] segments, int at)
    {
        if (at == segments.Length)
        {
            return true;
        }

        var last = at == segments.Length - 1;
        return current.ValueKind switch
        {
            JsonValueKind.Object => current.EnumerateObject().Where(m => m.NameEquals(segments[at])).Select(m => m.Value).ToList() is { Count: > 0 } members
                ? members.Any(m => Leads(m, segments, at + 1))
                : last,
            JsonValueKind.Array => int.TryParse(segments[at], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < current.GetArrayLength()
                && Leads(current[index], segments, at + 1),
            _ => false,
        };
    }
}
