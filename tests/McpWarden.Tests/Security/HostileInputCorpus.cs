using System.Globalization;
using System.Text;
using System.Text.Json;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// The corpus under tests/security/corpus, one file per category, read once; and the theory rows made of it,
/// one per case per front, named <c>front/category/name</c>.
/// </summary>
internal static class HostileInputCorpus
{
    public static string Directory => Path.Combine(RepositoryPaths.Root, "tests", "security", "corpus");

    private static readonly Lazy<IReadOnlyList<HostileInputCase>> Loaded = new(Load);

    public static IReadOnlyList<HostileInputCase> Cases => Loaded.Value;

    public static HostileInputCase Find(string key) => Cases.Single(c => c.Key == key);

    public static IEnumerable<TheoryDataRow<string>> Rows(string front, Func<HostileInputCase, bool> sentOver) =>
        Cases.Where(sentOver).Select(c => new TheoryDataRow<string>(c.Key) { TestDisplayName = front + "/" + c.Key });

    private static List<HostileInputCase> Load()
    {
        var cases = new List<HostileInputCase>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { AllowTrailingCommas = false });
            var category = document.RootElement.GetProperty("category").GetString()!;
            if (category != Path.GetFileNameWithoutExtension(file))
            {
                throw new InvalidDataException($"{file}: its category is \"{category}\"; a file is named after its category");
            }

            cases.AddRange(document.RootElement.GetProperty("cases").EnumerateArray().Select(c => HostileInputCase.Read(category, c)));
        }

        if (cases.GroupBy(c => c.Key).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new InvalidDataException($"the corpus has two cases named {duplicate.Key}");
        }

        return cases;
    }

    /// <summary>
    /// A body or header with its macros expanded to bytes: <c>${repeat:COUNT:TEXT}</c> (TEXT ends at the first
    /// <c>}</c>), <c>${close:COUNT}</c> (that many <c>}</c>), <c>${hex:EF BB BF}</c> (raw bytes, which need not be UTF-8).
    /// Everything else is the text's UTF-8.
    /// </summary>
    public static byte[] Expand(string text)
    {
        var bytes = new List<byte>(text.Length);
        var at = 0;
        while (at < text.Length)
        {
            var start = text.IndexOf("${", at, StringComparison.Ordinal);
            if (start < 0)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[at..]));
                break;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(text[at..start]));
            var end = text.IndexOf('}', start);
            if (end < 0)
            {
                throw new InvalidDataException($"an unterminated macro in {text[start..Math.Min(text.Length, start + 40)]}");
            }

            var parts = text[(start + 2)..end].Split(':', 3);
            switch (parts)
            {
                case ["repeat", var count, var repeated]:
                    var unit = Encoding.UTF8.GetBytes(repeated);
                    for (var i = 0; i < Count(count); i++)
                    {
                        bytes.AddRange(unit);
                    }

                    break;

                case ["close", var count]:
                    bytes.AddRange(Enumerable.Repeat((byte)'}', Count(count)));
                    break;

                case ["hex", var hex]:
                    bytes.AddRange(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));
                    break;

                default:
                    throw new InvalidDataException($"an unknown macro ${{{text[(start + 2)..end]}}}");
            }

            at = end + 1;
        }

        return [.. bytes];
    }

    /// <summary>A header value: macros expanded, and the bytes read back as text (header macros are plain text).</summary>
    public static string ExpandText(string text) => Encoding.UTF8.GetString(Expand(text));

    private static int Count(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
