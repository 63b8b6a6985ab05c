using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The <c>required</c> keyword.</summary>
internal sealed class RequiredValidator(string schemaPath, byte[][] utf8Names, string[] names) : KeywordValidator("required", schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        for (var i = 0; i < utf8Names.Length; i++)
        {
            if (!instance.TryGetProperty(utf8Names[i], out _))
            {
                return context.Reporting && Fail(ref context, $"required property {JsonText.Quote(names[i])} is missing");
            }
        }

        return true;
    }
}
