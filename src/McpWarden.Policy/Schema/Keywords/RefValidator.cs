using System.Runtime.CompilerServices;
using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema.Keywords;

/// <summary>A <c>$ref</c> within the schema document; the target is bound after compilation so that recursive schemas can refer to themselves.</summary>
internal sealed class RefValidator(string schemaPath, string reference) : KeywordValidator("$ref", schemaPath)
{
    private SchemaNode? target;

    public string Reference { get; } = reference;

    // INVARIANT: bound at most once by the compiler before the CompiledSchema is published; never changes afterwards.
    // It stays unbound only for a reference to a schema outside the document, which the compiler reported as an error
    // (Policy: no CompiledSchema exists) or as a warning saying it is ignored (Upstream).
    public void Bind(SchemaNode node) => target = node;

    public override bool Validate(JsonElement instance, ref ValidationContext context)
    {
        if (target is null)
        {
            return true;
        }

        if (!Enter(ref context))
        {
            return context.Reporting && Fail(ref context, $"$ref {JsonText.Quote(Reference)} nested too deeply (more than {ValidationContext.MaxReferenceDepth} references, or out of stack); a reference cycle that never moves into the instance is invalid");
        }

        var valid = target.Validate(instance, ref context);
        context.ReferenceDepth--;
        return valid;
    }

    public override void CollectEvaluatedProperties(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        if (target is not null && Enter(ref context))
        {
            target.CollectEvaluatedProperties(instance, evaluated, ref context);
            context.ReferenceDepth--;
        }
    }

    public override void CollectEvaluatedItems(JsonElement instance, bool[] evaluated, ref ValidationContext context)
    {
        if (target is not null && Enter(ref context))
        {
            target.CollectEvaluatedItems(instance, evaluated, ref context);
            context.ReferenceDepth--;
        }
    }

    private static bool Enter(ref ValidationContext context)
    {
        // The depth limit stops a $ref cycle early; the stack probe covers threads with unusually small stacks.
        if (context.ReferenceDepth >= ValidationContext.MaxReferenceDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return false;
        }

        context.ReferenceDepth++;
        return true;
    }
}
