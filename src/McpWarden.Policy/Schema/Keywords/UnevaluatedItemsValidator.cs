using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>unevaluatedItems</c>: items no adjacent or in-place applicator evaluated; runs after its siblings.</summary>
internal sealed class UnevaluatedItemsValidator(string schemaPath, SchemaNode owner, SchemaNode node)
    : KeywordValidator("unevaluatedItems", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var evaluated = new bool[instance.GetArrayLength()];
        owner.CollectEvaluatedItems(instance, evaluated, ref context, this);
        var index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (!evaluated[index] && !node.Validate(item, ref context))
            {
                context.Failure?.Prepend(index);
                return false;
            }

            index++;
        }

        return true;
    }

    public override void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        if (instance.ValueKind == JsonValueKind.Array)
        {
            Array.Fill(evaluated, true);
        }
    }
}
