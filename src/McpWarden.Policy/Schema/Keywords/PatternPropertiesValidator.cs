using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>patternProperties</c> keyword; a member name whose match cannot be decided makes the whole instance invalid.</summary>
internal sealed class PatternPropertiesValidator(string schemaPath, PatternMatcher[] matchers, SchemaNode[] nodes)
    : KeywordValidator("patternProperties", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        foreach (var property in instance.EnumerateObject())
        {
            for (var i = 0; i < matchers.Length; i++)
            {
                var outcome = Utf8Text.Match(matchers[i], property);
                if (outcome == PatternOutcome.TimedOut)
                {
                    return FailUndecided(ref context,
                        $"matching property name {JsonText.Quote(property.Name)} against pattern {JsonText.Quote(matchers[i].Pattern)} timed out");
                }

                if (outcome == PatternOutcome.NotUtf16)
                {
                    return FailUndecided(ref context,
                        $"a property name that is not valid UTF-16 (a lone surrogate escape) cannot be matched against pattern {JsonText.Quote(matchers[i].Pattern)}");
                }

                if (outcome == PatternOutcome.Match && !nodes[i].Validate(property.Value, ref context))
                {
                    context.Failure?.Prepend(property.Name);
                    return false;
                }
            }
        }

        return true;
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context) =>
        MarkEvaluatedProperties(instance, evaluated, Matches);

    /// <summary>True if any pattern matches the name; an undecided match counts as a match so that additionalProperties does not also judge it (Validate fails it).</summary>
    public bool Matches(JsonProperty property)
    {
        foreach (var matcher in matchers)
        {
            if (Utf8Text.Match(matcher, property) != PatternOutcome.NoMatch)
            {
                return true;
            }
        }

        return false;
    }
}
