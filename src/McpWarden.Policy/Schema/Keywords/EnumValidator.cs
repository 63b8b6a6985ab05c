using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>enum</c> keyword, using JSON equality (1 equals 1.0, object member order is irrelevant).</summary>
internal sealed class EnumValidator(string schemaPath, JsonElement[] values, string listing) : KeywordValidator("enum", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        foreach (var value in values)
        {
            if (JsonElement.DeepEquals(instance, value))
            {
                return true;
            }
        }

        return context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} is not one of {listing}");
    }
}
