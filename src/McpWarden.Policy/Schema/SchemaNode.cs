using System.Text.Json;
using McpWarden.Policy.Schema.Keywords;

namespace McpWarden.Policy.Schema;

/// <summary>One compiled (sub)schema: the keyword validators of a schema object, or none for <c>true</c>.</summary>
internal sealed class SchemaNode(string schemaPath)
{
    private KeywordValidator[] validators = [];

    public string SchemaPath { get; } = schemaPath;

    /// <summary>Sets the validators once, after construction, so that a $ref can point at a node still being compiled.</summary>
    public void Initialize(KeywordValidator[] compiled) => validators = compiled;

    public bool Validate(JsonElement instance, ref ValidationContext context)
    {
        foreach (var validator in validators)
        {
            if (!validator.Validate(instance, ref context))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Marks what this schema's keywords evaluated, leaving out <paramref name="asking"/> (the unevaluated keyword collecting).</summary>
    public void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context, KeywordValidator? asking = null)
    {
        foreach (var validator in validators)
        {
            if (!ReferenceEquals(validator, asking))
            {
                validator.CollectEvaluatedProperties(instance, evaluated, ref context);
            }
        }
    }

    /// <summary>Marks what this schema's keywords evaluated, leaving out <paramref name="asking"/> (the unevaluated keyword collecting).</summary>
    public void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context, KeywordValidator? asking = null)
    {
        foreach (var validator in validators)
        {
            if (!ReferenceEquals(validator, asking))
            {
                validator.CollectEvaluatedItems(instance, evaluated, ref context);
            }
        }
    }
}
