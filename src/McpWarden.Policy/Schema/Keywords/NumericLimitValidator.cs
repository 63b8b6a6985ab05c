using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>minimum</c>, <c>maximum</c> and their exclusive forms, compared exactly where decimal can hold both numbers.</summary>
internal sealed class NumericLimitValidator(string keyword, string schemaPath, NumericLimitKind kind, NumberValue limit)
    : KeywordValidator(keyword, schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Number)
        {
            return true;
        }

        var comparison = JsonNumber.Compare(instance, limit);
        var valid = comparison != int.MinValue && kind switch
        {
            NumericLimitKind.Minimum => comparison >= 0,
            NumericLimitKind.ExclusiveMinimum => comparison > 0,
            NumericLimitKind.Maximum => comparison <= 0,
            _ => comparison < 0,
        };
        if (valid)
        {
            return true;
        }

        return context.Reporting && Fail(ref context, kind switch
        {
            NumericLimitKind.Minimum => $"{JsonText.Quote(instance)} is less than the minimum {limit.Text}",
            NumericLimitKind.ExclusiveMinimum => $"{JsonText.Quote(instance)} is not greater than the exclusive minimum {limit.Text}",
            NumericLimitKind.Maximum => $"{JsonText.Quote(instance)} is greater than the maximum {limit.Text}",
            _ => $"{JsonText.Quote(instance)} is not less than the exclusive maximum {limit.Text}",
        });
    }
}
