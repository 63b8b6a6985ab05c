using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>uniqueItems</c> keyword, using JSON equality.</summary>
internal sealed class UniqueItemsValidator(string schemaPath) : KeywordValidator("uniqueItems", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var length = instance.GetArrayLength();
        for (var i = 1; i < length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (JsonElement.DeepEquals(instance[i], instance[j]))
                {
                    return context.Reporting && Fail(ref context, $"items {j} and {i} are equal");
                }
            }
        }

        return true;
    }
}
