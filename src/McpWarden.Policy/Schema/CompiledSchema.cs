using System.Text.Json;

namespace McpWarden.Policy.Schema;

/// <summary>An immutable, thread-safe compiled schema; validating a valid instance allocates nothing.</summary>
public sealed class CompiledSchema
{
    private readonly SchemaNode root;

    internal CompiledSchema(SchemaNode root, SchemaDialect dialect)
    {
        this.root = root;
        Dialect = dialect;
    }

    /// <summary>The dialect the schema was compiled with (from its <c>$schema</c>, else the default).</summary>
    public SchemaDialect Dialect { get; }

    /// <summary>Validates an instance, returning the most specific error (deepest failing keyword) when it is invalid.</summary>
    public SchemaValidationResult Validate(JsonElement instance)
    {
        if (instance.ValueKind == JsonValueKind.Undefined)
        {
            return new SchemaValidationResult(false, new SchemaError(string.Empty, string.Empty, string.Empty, "there is no value to validate"));
        }

        var context = new ValidationContext { Reporting = true };
        try
        {
            var valid = root.Validate(instance, ref context);
            if (context.Undecided is not null)
            {
                // Whatever not/if made of it, a check that could not be decided never lets an instance through.
                return new SchemaValidationResult(false, context.Undecided.ToError());
            }

            if (valid)
            {
                return new SchemaValidationResult(true, null);
            }
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to turn a lone surrogate escape ("\ud800") into a .NET string; such input fails closed.
            return new SchemaValidationResult(false, new SchemaError(string.Empty, string.Empty, string.Empty,
                "the instance contains a string that is not valid UTF-16 (a lone surrogate escape)"));
        }

        // INVARIANT: with Reporting on, every keyword that returns false records a failure first.
        var error = context.Failure?.ToError() ?? new SchemaError(string.Empty, string.Empty, root.SchemaPath, "the instance is invalid");
        return new SchemaValidationResult(false, error);
    }
}
