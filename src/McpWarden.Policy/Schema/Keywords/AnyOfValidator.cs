using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>anyOf</c> keyword; when no branch matches, the composite itself is reported.</summary>
internal sealed class AnyOfValidator(string schemaPath, SchemaNode[] nodes) : KeywordValidator("anyOf", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        foreach (var node in nodes)
        {
            if (context.IsValidSilently(node, instance))
            {
                return true;
            }
        }

        return context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} matches none of the {nodes.Length} anyOf schemas");
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        foreach (var node in nodes)
        {
            if (context.IsValidSilently(node, instance))
            {
                node.CollectEvaluatedProperties(instance, evaluated, ref context);
            }
        }
    }

    public override void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        foreach (var node in nodes)
        {
            if (context.IsValidSilently(node, instance))
            {
                node.CollectEvaluatedItems(instance, evaluated, ref context);
            }
        }
    }
}
