using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>anyOf</c> keyword; when no branch matches, the composite itself is reported.</summary>
internal sealed class AnyOfValidator(string schemaPath, SchemaNode[] branches) : MatchingBranchesValidator("anyOf", schemaPath, branches)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        foreach (var node in Branches)
        {
            if (context.IsValidSilently(node, instance))
            {
                return true;
            }
        }

        return context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} matches none of the {Branches.Length} anyOf schemas");
    }
}
