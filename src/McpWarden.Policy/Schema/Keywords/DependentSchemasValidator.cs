using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>dependentSchemas</c> (and the schema form of draft-07 <c>dependencies</c>).</summary>
internal sealed class DependentSchemasValidator(string keyword, string schemaPath, byte[][] triggers, SchemaNode[] nodes)
    : KeywordValidator(keyword, schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        for (var i = 0; i < triggers.Length; i++)
        {
            if (instance.TryGetProperty(triggers[i], out _) && !nodes[i].Validate(instance, ref context))
            {
                return false;
            }
        }

        return true;
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        for (var i = 0; i < triggers.Length; i++)
        {
            if (instance.TryGetProperty(triggers[i], out _))
            {
                nodes[i].CollectEvaluatedProperties(instance, evaluated, ref context);
            }
        }
    }
}
