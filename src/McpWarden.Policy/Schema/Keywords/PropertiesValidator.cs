using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>properties</c> keyword; every occurrence of a duplicated member is checked, so a later duplicate cannot slip past.</summary>
internal sealed class PropertiesValidator(string schemaPath, byte[][] utf8Names, string[] names, SchemaNode[] nodes)
    : KeywordValidator("properties", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        foreach (var property in instance.EnumerateObject())
        {
            var index = IndexOf(property);
            if (index >= 0 && !nodes[index].Validate(property.Value, ref context))
            {
                context.Failure?.Prepend(names[index]);
                return false;
            }
        }

        return true;
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context) =>
        MarkEvaluatedProperties(instance, evaluated, Declares);

    public bool Declares(JsonProperty property) => IndexOf(property) >= 0;

    private int IndexOf(JsonProperty property)
    {
        for (var i = 0; i < utf8Names.Length; i++)
        {
            if (property.NameEquals(utf8Names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
