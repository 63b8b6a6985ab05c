using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>multipleOf</c> keyword, exact in decimal (0.0075 is a multiple of 0.0001) with a double fallback.</summary>
internal sealed class MultipleOfValidator(string schemaPath, NumberValue divisor) : KeywordValidator("multipleOf", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context) =>
        instance.ValueKind != JsonValueKind.Number
        || JsonNumber.IsMultipleOf(instance, divisor)
        || (context.Reporting && Fail(ref context, $"{JsonText.Quote(instance)} is not a multiple of {divisor.Text}"));
}
