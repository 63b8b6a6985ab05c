using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary><c>dependentRequired</c> (and the array form of draft-07 <c>dependencies</c>).</summary>
internal sealed class DependentRequiredValidator(string keyword, string schemaPath, byte[][] triggers, string[] triggerNames, byte[][][] required, string[][] requiredNames)
    : KeywordValidator(keyword, schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        for (var i = 0; i < triggers.Length; i++)
        {
            if (!instance.TryGetProperty(triggers[i], out _))
            {
                continue;
            }

            for (var j = 0; j < required[i].Length; j++)
            {
                if (!instance.TryGetProperty(required[i][j], out _))
                {
                    return context.Reporting && Fail(ref context,
                        $"property {JsonText.Quote(requiredNames[i][j])} is required when {JsonText.Quote(triggerNames[i])} is present");
                }
            }
        }

        return true;
    }
}
