using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>oneOf</c> keyword; the composite is reported when zero or several branches match.</summary>
internal sealed class OneOfValidator(string schemaPath, SchemaNode[] nodes) : KeywordValidator("oneOf", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        var first = -1;
        for (var i = 0; i < nodes.Length; i++)
        {
            if (!context.IsValidSilently(nodes[i], instance))
            {
                continue;
            }

            if (first >= 0)
            {
                return context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} matches oneOf schemas {first} and {i}; exactly one must match");
            }

            first = i;
        }

        return first >= 0
            || (context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} matches none of the {nodes.Length} oneOf schemas"));
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
