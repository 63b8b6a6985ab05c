using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>minItems</c>/<c>maxItems</c> (arrays) and <c>minProperties</c>/<c>maxProperties</c> (objects).</summary>
internal sealed class CountValidator(string keyword, string schemaPath, long limit, bool isMaximum, JsonValueKind kind)
    : KeywordValidator(keyword, schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != kind)
        {
            return true;
        }

        long count = kind == JsonValueKind.Array ? instance.GetArrayLength() : instance.GetPropertyCount();
        if (isMaximum ? count <= limit : count >= limit)
        {
            return true;
        }

        var noun = kind == JsonValueKind.Array ? "items" : "properties";
        return context.Reporting && Fail(ref context, isMaximum
            ? $"{count} {noun} is more than the {Keyword} {limit}"
            : $"{count} {noun} is fewer than the {Keyword} {limit}");
    }
}
