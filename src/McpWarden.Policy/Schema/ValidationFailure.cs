using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema;

/// <summary>The first failing keyword of a validation, with the instance path assembled while the failure unwinds.</summary>
internal sealed class ValidationFailure(string keyword, string schemaPath, string message)
{
    // Segments arrive innermost first, because each container adds its own segment as the failure returns through it.
    private readonly List<string> reversedSegments = [];

    public string Keyword { get; } = keyword;

    public string SchemaPath { get; } = schemaPath;

    public string Message { get; } = message;

    public void Prepend(string segment) => reversedSegments.Add(segment);

    public void Prepend(int index) => reversedSegments.Add(index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public SchemaError ToError()
    {
        var builder = new System.Text.StringBuilder();
        for (var i = reversedSegments.Count - 1; i >= 0; i--)
        {
            builder.Append('/').Append(JsonPointer.Escape(reversedSegments[i]));
        }

        return new SchemaError(builder.ToString(), Keyword, SchemaPath, Message);
    }
}
