using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>if</c>/<c>then</c>/<c>else</c>: the branch's own error is reported, since <c>if</c> itself never fails.</summary>
internal sealed class IfThenElseValidator(string schemaPath, SchemaNode condition, SchemaNode? then, SchemaNode? otherwise)
    : KeywordValidator("if", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (then is null && otherwise is null)
        {
            return true;
        }

        var branch = context.IsValidSilently(condition, instance) ? then : otherwise;
        return branch is null || branch.Validate(instance, ref context);
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        if (context.IsValidSilently(condition, instance))
        {
            condition.CollectEvaluatedProperties(instance, evaluated, ref context);
            then?.CollectEvaluatedProperties(instance, evaluated, ref context);
        }
        else
        {
            otherwise?.CollectEvaluatedProperties(instance, evaluated, ref context);
        }
    }

    public override void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        if (context.IsValidSilently(condition, instance))
        {
            condition.CollectEvaluatedItems(instance, evaluated, ref context);
            then?.CollectEvaluatedItems(instance, evaluated, ref context);
        }
        else
        {
            otherwise?.CollectEvaluatedItems(instance, evaluated, ref context);
        }
    }
}
