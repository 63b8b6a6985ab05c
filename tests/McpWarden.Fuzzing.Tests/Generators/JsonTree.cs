using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpWarden.Fuzzing.Tests.Generators;

/// <summary>
/// A JSON document the fuzzer can break on purpose: unlike <see cref="JsonNode"/> an object may hold one key
/// twice, and a scalar is kept as the exact text written (so <c>1e400</c>, <c>-0</c> or a string escaping a
/// lone surrogate survive until the bytes reach the parser under test).
/// </summary>
internal abstract class JsonTree
{
    public abstract JsonTree Clone();

    public abstract void Write(StringBuilder text);

    public string ToJson()
    {
        var text = new StringBuilder();
        Write(text);
        return text.ToString();
    }

    public static JsonTree From(JsonNode? node) => node switch
    {
        JsonObject o => new ObjectTree(o.Select(m => new KeyValuePair<string, JsonTree>(m.Key, From(m.Value))).ToList()),
        JsonArray a => new ArrayTree(a.Select(From).ToList()),
        null => new Atom("null"),
        _ => new Atom(node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })),
    };

    /// <summary>A JSON string literal; characters other than quote, backslash and controls are written as they are.</summary>
    public static string Literal(string text)
    {
        var literal = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => literal.Append("\\\""),
                '\\' => literal.Append("\\\\"),
                < ' ' => literal.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => literal.Append(c),
            };
        }

        return literal.Append('"').ToString();
    }

    public sealed class ObjectTree(List<KeyValuePair<string, JsonTree>> members) : JsonTree
    {
        public List<KeyValuePair<string, JsonTree>> Members { get; } = members;

        public override JsonTree Clone() => new ObjectTree(Members.Select(m => new KeyValuePair<string, JsonTree>(m.Key, m.Value.Clone())).ToList());

        public override void Write(StringBuilder text)
        {
            text.Append('{');
            for (var i = 0; i < Members.Count; i++)
            {
                text.Append(i == 0 ? "" : ",").Append(Literal(Members[i].Key)).Append(':');
                Members[i].Value.Write(text);
            }

            text.Append('}');
        }
    }

    public sealed class ArrayTree(List<JsonTree> items) : JsonTree
    {
        public List<JsonTree> Items { get; } = items;

        public override JsonTree Clone() => new ArrayTree(Items.Select(i => i.Clone()).ToList());

        public override void Write(StringBuilder text)
        {
            text.Append('[');
            for (var i = 0; i < Items.Count; i++)
            {
                text.Append(i == 0 ? "" : ",");
                Items[i].Write(text);
            }

            text.Append(']');
        }
    }

    /// <summary>A scalar as raw JSON text, written exactly (it may be deliberately invalid).</summary>
    public sealed class Atom(string text) : JsonTree
    {
        public string Text { get; } = text;

        public override JsonTree Clone() => this;

        public override void Write(StringBuilder text) => text.Append(Text);
    }
}
