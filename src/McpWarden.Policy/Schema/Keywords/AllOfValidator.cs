using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>allOf</c> keyword; the failing subschema's own error is reported because it is more specific.</summary>
internal sealed class AllOfValidator(string schemaPath, SchemaNode[] nodes) : KeywordValidator("allOf", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        foreach (var node in nodes)
        {
            if (!node.Validate(instance, ref context))
            {
                return false;
            }
        }

        return true;
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        foreach (var node in nodes)
        {
            node.CollectEvaluatedProperties(instance, evaluated, ref context);
        }
    }

    public override void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        foreach (var node in nodes)
        {
            node.CollectEvaluatedItems(instance, evaluated, ref context);
        }
    }
}
