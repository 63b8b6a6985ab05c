using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>additionalProperties</c> keyword: members matched by neither sibling properties nor patternProperties.</summary>
internal sealed class AdditionalPropertiesValidator(
    string schemaPath, PropertiesValidator? properties, PatternPropertiesValidator? patternProperties, SchemaNode node)
    : KeywordValidator("additionalProperties", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        foreach (var property in instance.EnumerateObject())
        {
            if (IsAdditional(property) && !node.Validate(property.Value, ref context))
            {
                context.Failure?.Prepend(property.Name);
                return false;
            }
        }

        return true;
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        // additionalProperties covers whatever its siblings did not, so together they evaluated every member.
        if (instance.ValueKind == JsonValueKind.Object)
        {
            Array.Fill(evaluated, true);
        }
    }

    private bool IsAdditional(JsonProperty property) =>
        properties?.Declares(property) != true && patternProperties?.Matches(property) != true;
}
