using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>propertyNames</c> keyword; each member name is validated as a JSON string.</summary>
internal sealed class PropertyNamesValidator(string schemaPath, SchemaNode node) : KeywordValidator("propertyNames", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        foreach (var property in instance.EnumerateObject())
        {
            // Names are not JsonElements; wrapping one costs an allocation, paid only by schemas using propertyNames.
            var name = JsonSerializer.SerializeToElement(property.Name);
            if (!context.IsValidSilently(node, name))
            {
                return context.Reporting && Fail(ref context, $"property name {JsonText.Quote(property.Name)} does not match the propertyNames schema");
            }
        }

        return true;
    }
}
