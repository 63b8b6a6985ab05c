using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace McpWarden.Policy.Json;

/// <summary>
/// One textual form per JSON value: object members sorted by name (ordinal), no whitespace, numbers in
/// their shortest decimal form (<c>1.0</c> and <c>1</c> are the same value). Used wherever two equal
/// values must produce equal keys or hashes: limit partitions, policy revisions, approval bindings.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    public static string ToText(JsonElement element) => System.Text.Encoding.UTF8.GetString(Serialize(element).WrittenSpan);

    /// <summary>Lower-case hex SHA-256 of the canonical text.</summary>
    public static string Sha256(JsonElement element) => Convert.ToHexStringLower(SHA256.HashData(Serialize(element).WrittenSpan));

    private static ArrayBufferWriter<byte> Serialize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        Write(writer, element);
        writer.Flush();
        return buffer;
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
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
            case JsonValueKind.Number:
                writer.WriteRawValue(NumberText(element), skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>The shortest form of a number: decimal when it fits (never in exponent form), else the text as written.</summary>
    public static string NumberText(JsonElement number)
    {
        if (!number.TryGetDecimal(out var value))
        {
            return number.GetRawText();
        }

        // A custom format never switches to exponent notation, so 1e-7 and 0 stay different; -0 is 0.
        var text = value.ToString("0.############################", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }
}
