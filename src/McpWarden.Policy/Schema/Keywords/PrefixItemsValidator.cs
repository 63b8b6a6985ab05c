using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>prefixItems</c> (2020-12) or the array form of <c>items</c> (draft-07): one schema per leading position.</summary>
internal sealed class PrefixItemsValidator(string keyword, string schemaPath, SchemaNode[] nodes) : KeywordValidator(keyword, schemaPath)
{
    public int Count => nodes.Length;

    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (index >= nodes.Length)
            {
                break;
            }

            if (!nodes[index].Validate(item, ref context))
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
            Array.Fill(evaluated, true, 0, Math.Min(nodes.Length, evaluated.Length));
        }
    }
}
