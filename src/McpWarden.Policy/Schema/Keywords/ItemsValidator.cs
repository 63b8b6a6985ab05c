using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>A schema for every item from <paramref name="start"/> on: <c>items</c> (after prefixItems) or draft-07 <c>additionalItems</c>.</summary>
internal sealed class ItemsValidator(string keyword, string schemaPath, int start, SchemaNode node) : KeywordValidator(keyword, schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (index >= start && !node.Validate(item, ref context))
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
        if (instance.ValueKind == JsonValueKind.Array && start < evaluated.Length)
        {
            Array.Fill(evaluated, true, start, evaluated.Length - start);
        }
    }
}
