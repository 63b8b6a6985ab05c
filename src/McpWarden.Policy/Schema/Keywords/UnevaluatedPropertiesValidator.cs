using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>unevaluatedProperties</c>: members no adjacent or in-place applicator evaluated; runs after its siblings.</summary>
internal sealed class UnevaluatedPropertiesValidator(string schemaPath, SchemaNode owner, SchemaNode node)
    : KeywordValidator("unevaluatedProperties", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        // The annotation walk is paid only here, by schemas that use unevaluatedProperties.
        var evaluated = new bool[instance.GetPropertyCount()];
        owner.CollectEvaluatedProperties(instance, evaluated, ref context, this);
        var ordinal = 0;
        foreach (var property in instance.EnumerateObject())
        {
            if (!evaluated[ordinal] && !node.Validate(property.Value, ref context))
            {
                context.Failure?.Prepend(property.Name);
                return false;
            }

            ordinal++;
        }

        return true;
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        // Reached only for a valid schema, so every member was evaluated either by a sibling or by this keyword.
        if (instance.ValueKind == JsonValueKind.Object)
        {
            Array.Fill(evaluated, true);
        }
    }
}
