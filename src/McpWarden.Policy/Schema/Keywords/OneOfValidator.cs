using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>oneOf</c> keyword; the composite is reported when zero or several branches match.</summary>
internal sealed class OneOfValidator(string schemaPath, SchemaNode[] branches) : MatchingBranchesValidator("oneOf", schemaPath, branches)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        var first = -1;
        for (var i = 0; i < Branches.Length; i++)
        {
            if (!context.IsValidSilently(Branches[i], instance))
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
            || (context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} matches none of the {Branches.Length} oneOf schemas"));
    }
}
