using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>contains</c> keyword with its <c>minContains</c>/<c>maxContains</c> bounds (draft-07: at least one).</summary>
internal sealed class ContainsValidator(string schemaPath, SchemaNode node, long minContains, long? maxContains)
    : KeywordValidator("contains", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        long matches = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (context.IsValidSilently(node, item))
            {
                matches++;
            }
        }

        if (matches < minContains)
        {
            return context.Reporting && Fail(ref context, minContains == 1
                ? "no item matches the contains schema"
                : $"{matches} items match the contains schema, fewer than minContains {minContains}");
        }

        if (matches > maxContains)
        {
            return context.Reporting && Fail(ref context, $"{matches} items match the contains schema, more than maxContains {maxContains}");
        }

        return true;
    }

    public override void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (context.IsValidSilently(node, item))
            {
                evaluated[index] = true;
            }

            index++;
        }
    }
}
