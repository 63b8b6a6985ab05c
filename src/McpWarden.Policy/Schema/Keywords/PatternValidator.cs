using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>pattern</c> keyword; a match that times out makes the instance invalid (fail closed).</summary>
internal sealed class PatternValidator(string schemaPath, PatternMatcher matcher) : KeywordValidator("pattern", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.String || Utf8Text.IsMatch(matcher, instance, out var timedOut))
        {
            return true;
        }

        return context.Reporting && Fail(ref context, timedOut
            ? $"matching {JsonText.Quote(instance)} against pattern {JsonText.Quote(matcher.Pattern)} timed out"
            : $"{JsonText.Quote(instance)} does not match the pattern {JsonText.Quote(matcher.Pattern)}");
    }
}
