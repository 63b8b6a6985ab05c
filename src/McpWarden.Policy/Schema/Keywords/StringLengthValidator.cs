using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>minLength</c>/<c>maxLength</c>, counted in Unicode code points rather than UTF-16 units.</summary>
internal sealed class StringLengthValidator(string keyword, string schemaPath, long limit, bool isMaximum) : KeywordValidator(keyword, schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        var length = Utf8Text.CountCodePoints(instance);
        if (isMaximum ? length <= limit : length >= limit)
        {
            return true;
        }

        return context.Reporting && Fail(ref context, isMaximum
            ? $"string of length {length} is longer than the maxLength {limit}"
            : $"string of length {length} is shorter than the minLength {limit}");
    }
}
