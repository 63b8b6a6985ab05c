using System.Globalization;
using System.Text;

namespace McpWarden.Gateway.Telemetry;

/// <summary>
/// The Prometheus text exposition format 0.0.4: names as the OpenTelemetry-to-Prometheus conventions make them
/// (<c>mcpwarden.evaluation.duration</c> in seconds is <c>mcpwarden_evaluation_duration_seconds</c>, a counter ends
/// in <c>_total</c>), escaping, and numbers written the same whatever the culture.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The metric name of an instrument: invalid characters become <c>_</c>, then the unit, then <c>_total</c> for a counter.</summary>
    public static string MetricName(string instrument, string? unit, PrometheusKind kind)
    {
        var name = Sanitize(instrument, allowColon: true);
        var suffix = UnitSuffix(unit, kind);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        if (kind == PrometheusKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    /// <summary>A label name: <c>error.type</c> is <c>error_type</c>.</summary>
    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>Appends a label value between quotes, with <c>\</c>, <c>"</c> and line feeds escaped as the format requires.</summary>
    public static void AppendLabelValue(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append(@"\n"); break;
                default: text.Append(c); break;
            }
        }

        text.Append('"');
    }

    /// <summary>Appends <c># HELP</c> text, with <c>\</c> and line feeds escaped.</summary>
    public static void AppendHelp(StringBuilder text, string help)
    {
        foreach (var c in help)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\n': text.Append(@"\n"); break;
                default: text.Append(c); break;
            }
        }
    }

    /// <summary>A number as Prometheus reads it: shortest round-trip form, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static void AppendNumber(StringBuilder text, double value)
    {
        if (double.IsNaN(value))
        {
            text.Append("NaN");
            return;
        }

        if (double.IsInfinity(value))
        {
            text.Append(value > 0 ? "+Inf" : "-Inf");
            return;
        }

        Span<char> buffer = stackalloc char[32];
        text.Append(value.TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture) ? buffer[..written] : value.ToString("R", CultureInfo.InvariantCulture));
    }

    public static void AppendNumber(StringBuilder text, long value)
    {
        Span<char> buffer = stackalloc char[24];
        text.Append(value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture) ? buffer[..written] : value.ToString(CultureInfo.InvariantCulture));
    }

    public static string Number(double value)
    {
        var text = new StringBuilder();
        AppendNumber(text, value);
        return text.ToString();
    }

    /// <summary>
    /// The unit's suffix: seconds, bytes and the like spelled out; an annotation in braces (<c>{call}</c>) adds nothing;
    /// <c>1</c> is <c>ratio</c> on a gauge only, as OpenTelemetry's collector does (a counter of things is often given unit 1).
    /// </summary>
    private static string UnitSuffix(string? unit, PrometheusKind kind)
    {
        if (string.IsNullOrEmpty(unit) || unit.StartsWith('{'))
        {
            return string.Empty;
        }

        return unit switch
        {
            "1" => kind == PrometheusKind.Gauge ? "ratio" : string.Empty,
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "ns" => "nanoseconds",
            "min" => "minutes",
            "h" => "hours",
            "d" => "days",
            "By" => "bytes",
            "KiBy" => "kibibytes",
            "MiBy" => "mebibytes",
            "%" => "percent",
            _ => Sanitize(unit.Replace("/", "_per_", StringComparison.Ordinal), allowColon: false).Trim('_'),
        };
    }

    /// <summary>Keeps <c>[a-zA-Z0-9_]</c> (and <c>:</c> in metric names), turns runs of anything else into one <c>_</c>; never starts with a digit.</summary>
    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            if (valid)
            {
                text.Append(c);
            }
            else if (text.Length == 0 || text[^1] != '_')
            {
                text.Append('_');
            }
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
