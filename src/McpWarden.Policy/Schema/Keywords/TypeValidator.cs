using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>type</c> keyword; "integer" accepts any number with a zero fractional part, such as 1.0.</summary>
internal sealed class TypeValidator(string schemaPath, JsonTypes types, string expected) : KeywordValidator("type", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        var matches = instance.ValueKind switch
        {
            JsonValueKind.Object => (types & JsonTypes.Object) != 0,
            JsonValueKind.Array => (types & JsonTypes.Array) != 0,
            JsonValueKind.String => (types & JsonTypes.String) != 0,
            JsonValueKind.Number => (types & JsonTypes.Number) != 0
                || ((types & JsonTypes.Integer) != 0 && JsonNumber.IsInteger(instance)),
            JsonValueKind.True or JsonValueKind.False => (types & JsonTypes.Boolean) != 0,
            JsonValueKind.Null => (types & JsonTypes.Null) != 0,
            _ => false,
        };
        return matches || (context.Reporting && Fail(ref context, $"{JsonText.Describe(instance)} is not of type {expected}"));
    }
}
