using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>not</c> keyword; it contributes no evaluated members or items.</summary>
internal sealed class NotValidator(string schemaPath, SchemaNode node) : KeywordValidator("not", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context) =>
        !context.IsValidSilently(node, instance)
        || (context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} must not match the not schema"));
}
