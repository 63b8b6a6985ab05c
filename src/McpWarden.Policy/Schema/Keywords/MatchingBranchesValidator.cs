using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>
/// A keyword over several subschemas (<c>anyOf</c>, <c>oneOf</c>) whose annotations come from every branch
/// the instance matches: what those branches evaluated counts as evaluated for unevaluated*.
/// </summary>
internal abstract class MatchingBranchesValidator(string keyword, string schemaPath, SchemaNode[] branches) : KeywordValidator(keyword, schemaPath)
{
    protected SchemaNode[] Branches { get; } = branches;

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        foreach (var branch in Branches)
        {
            if (context.IsValidSilently(branch, instance))
            {
                branch.CollectEvaluatedProperties(instance, evaluated, ref context);
            }
        }
    }

    public override void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        foreach (var branch in Branches)
        {
            if (context.IsValidSilently(branch, instance))
            {
                branch.CollectEvaluatedItems(instance, evaluated, ref context);
            }
        }
    }
}
