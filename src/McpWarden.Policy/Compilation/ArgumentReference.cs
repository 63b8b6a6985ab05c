using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Compilation;

/// <summary>
/// Where a limit's <c>by</c> or <c>cost</c> reads its value: a top-level argument name, or (when it starts
/// with <c>/</c>) a JSON Pointer into the call's arguments.
/// </summary>
public sealed class ArgumentReference
{
    private readonly string[] _segments;

    public ArgumentReference(string text)
    {
        Text = text;
        if (text.StartsWith('/'))
        {
            // INVARIANT: the parser has already refused pointers that do not parse.
            if (!JsonPointer.TryParse(text, out _segments))
            {
                throw new ArgumentException($"{JsonText.Quote(text)} is not a JSON Pointer", nameof(text));
            }
        }
        else
        {
            _segments = [text];
        }
    }

    /// <summary>The reference as written in the policy.</summary>
    public string Text { get; }

    public bool TryResolve(JsonElement arguments, out JsonElement value) => JsonPointer.TryResolve(arguments, _segments, out value);

    public override string ToString() => Text;
}
