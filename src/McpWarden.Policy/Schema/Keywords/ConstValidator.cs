using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>const</c> keyword, using JSON equality.</summary>
internal sealed class ConstValidator(string schemaPath, JsonElement value) : KeywordValidator("const", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context) =>
        JsonElement.DeepEquals(instance, value)
        || (context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} is not equal to {JsonText.Quote(value)}"));
}
