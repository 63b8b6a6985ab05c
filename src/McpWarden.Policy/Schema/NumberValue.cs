using System.Globalization;
using System.Text.Json;

namespace McpWarden.Policy.Schema;

/// <summary>A number from a schema, parsed once at compile time: exact decimal where it fits, double always.</summary>
internal readonly record struct NumberValue(bool HasDecimal, decimal Decimal, double Double, string Text)
{
    public static NumberValue From(JsonElement number)
    {
        var text = number.GetRawText();
        var hasDecimal = JsonNumber.TryGetExactDecimal(number, out var exact);
        return new NumberValue(hasDecimal, exact, JsonNumber.GetDouble(number), text);
    }

    public static NumberValue From(decimal value) =>
        new(true, value, (double)value, value.ToString(CultureInfo.InvariantCulture));
}
