using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace McpWarden.Policy.Schema;

/// <summary>Numeric comparisons that are exact in decimal where both sides fit and fall back to double beyond that.</summary>
internal static class JsonNumber
{
    /// <summary>Reads a number as a decimal only if that is faithful: decimal parsing silently rounds 1e-50 to zero.</summary>
    public static bool TryGetExactDecimal(JsonElement number, out decimal value)
    {
        if (!number.TryGetDecimal(out value))
        {
            return false;
        }

        if (value != 0)
        {
            return true;
        }

        foreach (var b in JsonMarshal.GetRawUtf8Value(number))
        {
            if (b is (byte)'e' or (byte)'E')
            {
                break;
            }

            if (b is >= (byte)'1' and <= (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads a number as a double, giving infinity (not failure) for literals beyond double's range.</summary>
    public static double GetDouble(JsonElement number)
    {
        if (number.TryGetDouble(out var value))
        {
            return value;
        }

        return double.TryParse(JsonMarshal.GetRawUtf8Value(number), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            ? value
            : double.NaN;
    }

    public static int Compare(JsonElement number, in NumberValue limit)
    {
        if (limit.HasDecimal && TryGetExactDecimal(number, out var exact))
        {
            return exact.CompareTo(limit.Decimal);
        }

        var value = GetDouble(number);

        // NaN only arises from a literal double cannot parse; comparing as smaller and larger at once is impossible,
        // so report it as not equal and let each caller's check fail.
        return double.IsNaN(value) ? int.MinValue : value.CompareTo(limit.Double);
    }

    public static bool IsInteger(JsonElement number)
    {
        if (number.TryGetInt64(out _))
        {
            return true;
        }

        if (TryGetExactDecimal(number, out var exact))
        {
            return exact == decimal.Truncate(exact);
        }

        // Every double beyond 2^53 (and every literal too large for double) is a whole number.
        var value = GetDouble(number);
        return double.IsInfinity(value) || (!double.IsNaN(value) && Math.Floor(value) == value);
    }

    public static bool IsMultipleOf(JsonElement number, in NumberValue divisor)
    {
        if (divisor.HasDecimal && TryGetExactDecimal(number, out var exact))
        {
            try
            {
                return exact % divisor.Decimal == 0;
            }
            catch (OverflowException)
            {
                // Falls through to the double computation below.
            }
        }

        var value = GetDouble(number);
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return false;
        }

        // The IEEE remainder of two doubles is exact, so zero means the double values divide evenly.
        return Math.IEEERemainder(value, divisor.Double) == 0;
    }
}
