using System.Buffers;
using System.Text;
using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Gateway.Audit;

/// <summary>
/// Writes a call's arguments as canonical JSON with the values of secret-looking members replaced by
/// <c>"[redacted]"</c>, at any depth. A member name is secret when its words (split at <c>_</c>, <c>-</c>,
/// <c>.</c>, spaces and camelCase humps, compared without case) contain one of the configured terms as a
/// run of whole words: <c>api_key</c>, <c>apiKey</c> and <c>X-API-KEY</c> all match the term <c>api_key</c>,
/// <c>client_secret</c> matches <c>secret</c>, while <c>shipping</c> does not match <c>pin</c>. A term of several
/// words also matches them written as one word: <c>apikey</c> and <c>APIKEY</c> match <c>api_key</c>.
/// </summary>
public sealed class ArgumentRedactor
{
    /// <summary>What replaces a secret value.</summary>
    public const string Redacted = "[redacted]";

    /// <summary>The terms used when the configuration names none.</summary>
    public static IReadOnlyList<string> DefaultTerms { get; } =
        ["password", "passwd", "passphrase", "token", "secret", "pin", "api_key", "private_key", "authorization", "cookie", "credential", "otp", "cvv"];

    private readonly string[][] _terms;

    /// <summary>Terms of several words also written as one (<c>apikey</c> for <c>api_key</c>), where no hump or separator splits them.</summary>
    private readonly HashSet<string> _joinedTerms;

    public ArgumentRedactor(IEnumerable<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        _terms = [.. terms.Select(Words).Where(w => w.Length > 0)];
        _joinedTerms = new HashSet<string>(_terms.Where(t => t.Length > 1).Select(t => string.Concat(t)), StringComparer.Ordinal);
    }

    public static ArgumentRedactor Default { get; } = new(DefaultTerms);

    /// <summary>The terms as the redactor compares them (lower-case words joined by <c>_</c>): two redactors with the same terms redact alike.</summary>
    public IReadOnlyList<string> Terms => [.. _terms.Select(words => string.Join('_', words))];

    /// <summary>Whether a member of this name holds a secret.</summary>
    public bool IsSecret(string name)
    {
        var words = Words(name);
        if (_joinedTerms.Count > 0 && words.Any(_joinedTerms.Contains))
        {
            return true;
        }

        foreach (var term in _terms)
        {
            for (var start = 0; start + term.Length <= words.Length; start++)
            {
                if (words.AsSpan(start, term.Length).SequenceEqual(term))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The arguments as canonical JSON, secrets redacted.</summary>
    public string Redact(JsonElement arguments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, arguments);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return CanonicalJson.ToText(document.RootElement);
    }

    private void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (IsSecret(property.Name))
                    {
                        writer.WriteStringValue(Redacted);
                    }
                    else
                    {
                        Write(writer, property.Value);
                    }
                }

                writer.WriteEndObject();
                break;

            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;

            case JsonValueKind.Undefined:
                writer.WriteStartObject();
                writer.WriteEndObject();
                break;

            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>A name's words in lower case and singular: <c>clientSecret</c>, <c>client_secrets</c> and <c>CLIENT-SECRET</c> are all [client, secret].</summary>
    private static string[] Words(string name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            // A hump: a capital after a lower-case letter or digit (apiKey), or before a lower-case letter in a capital run (APIKey).
            var hump = char.IsUpper(c) && word.Length > 0
                && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (hump)
            {
                Flush();
            }

            word.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return [.. words];

        void Flush()
        {
            if (word.Length > 0)
            {
                // Plurals count as their singular (tokens, api_keys, credentials); "pass" and short words stay as they are.
                if (word.Length > 3 && word[^1] == 's' && word[^2] != 's')
                {
                    word.Length--;
                }

                words.Add(word.ToString());
                word.Clear();
            }
        }
    }
}
