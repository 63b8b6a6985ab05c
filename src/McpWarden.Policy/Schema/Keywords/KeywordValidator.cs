using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>One compiled keyword of a schema object, with everything it needs pre-parsed at compile time.</summary>
internal abstract class KeywordValidator(string keyword, string schemaPath)
{
    public string Keyword { get; } = keyword;

    /// <summary>JSON Pointer of this keyword in the schema document.</summary>
    public string SchemaPath { get; } = schemaPath;

    public abstract bool Validate(JsonElement instance, ref ValidationContext context);

    /// <summary>Marks the object members this keyword evaluated; only called for schemas using unevaluatedProperties.</summary>
    public virtual void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
    }

    /// <summary>Marks the array items this keyword evaluated; only called for schemas using unevaluatedItems.</summary>
    public virtual void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
    }

    protected bool Fail(ref ValidationContext context, string message) => context.Fail(Keyword, SchemaPath, message);

    protected bool FailUndecided(ref ValidationContext context, string message) => context.FailUndecided(Keyword, SchemaPath, message);

    /// <summary>Marks, by position, the members of an object instance that <paramref name="evaluates"/> claims.</summary>
    protected static void MarkEvaluatedProperties(JsonElement instance, bool[] evaluated, Func<JsonProperty, bool> evaluates)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var ordinal = 0;
        foreach (var property in instance.EnumerateObject())
        {
            evaluated[ordinal] |= evaluates(property);
            ordinal++;
        }
    }
}
