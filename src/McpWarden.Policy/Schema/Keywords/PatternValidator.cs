using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>pattern</c> keyword; a match that cannot be decided makes the whole instance invalid (fail closed).</summary>
internal sealed class PatternValidator(string schemaPath, PatternMatcher matcher) : KeywordValidator("pattern", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        return Utf8Text.Match(matcher, instance) switch
        {
            PatternOutcome.Match => true,
            PatternOutcome.NoMatch => context.Reporting
                && Fail(ref context, $"{JsonText.Quote(instance)} does not match the pattern {JsonText.Quote(matcher.Pattern)}"),
            PatternOutcome.TimedOut => FailUndecided(ref context,
                $"matching {JsonText.Quote(instance)} against pattern {JsonText.Quote(matcher.Pattern)} timed out"),
            _ => FailUndecided(ref context,
                $"a string that is not valid UTF-16 (a lone surrogate escape) cannot be matched against pattern {JsonText.Quote(matcher.Pattern)}"),
        };
    }
}
