using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>patternProperties</c> keyword; a regex timeout on a member name fails closed.</summary>
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
                var matches = Utf8Text.IsMatch(matchers[i], property, out var timedOut);
                if (timedOut)
                {
                    return context.Reporting && Fail(ref context,
                        $"matching property name {JsonText.Quote(property.Name)} against pattern {JsonText.Quote(matchers[i].Pattern)} timed out");
                }

                if (matches && !nodes[i].Validate(property.Value, ref context))
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

    /// <summary>True if any pattern matches the name; a timeout counts as a match so that additionalProperties does not also judge it.</summary>
    public bool Matches(JsonProperty property)
    {
        foreach (var matcher in matchers)
        {
            if (Utf8Text.IsMatch(matcher, property, out var timedOut) || timedOut)
            {
                return true;
            }
        }

        return false;
    }
}
