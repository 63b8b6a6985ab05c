using System.Text.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>The boolean schema <c>false</c>, reported under the keyword that holds it (e.g. additionalProperties).</summary>
internal sealed class FalseSchemaValidator(string ownerKeyword, string schemaPath) : KeywordValidator(ownerKeyword, schemaPath)
{
    public override bool Validate(JsonElement instance, ref ValidationContext context) =>
        context.Reporting && Fail(ref context, Keyword switch
        {
            "properties" or "additionalProperties" or "patternProperties" or "unevaluatedProperties" or "dependentSchemas" or "dependencies"
                => "this property is not allowed",
            "items" or "prefixItems" or "additionalItems" or "unevaluatedItems" => "this item is not allowed",
            _ => "no value is allowed here (the schema is false)",
        });
}
