namespace McpWarden.Policy.Schema;

/// <summary>Per-call validation state, a struct passed by reference so that a successful validation allocates nothing.</summary>
internal struct ValidationContext
{
    // Deep enough for any instance JsonDocument parses by default (64 levels) through several $refs per level,
    // shallow enough that a cycle of $refs that never consumes the instance stops long before the stack does.
    public const int MaxReferenceDepth = 512;

    /// <summary>False inside applicators whose subschema failures are expected (anyOf, not, if, contains); no failure is recorded there.</summary>
    public bool Reporting;

    public ValidationFailure? Failure;

    public int ReferenceDepth;

    public bool Fail(string keyword, string schemaPath, string message)
    {
        // INVARIANT: a failure is recorded once, by the innermost failing keyword, and validation then unwinds.
        if (Reporting && Failure is null)
        {
            Failure = new ValidationFailure(keyword, schemaPath, message);
        }

        return false;
    }

    public bool IsValidSilently(SchemaNode node, System.Text.Json.JsonElement instance)
    {
        var reporting = Reporting;
        Reporting = false;
        var valid = node.Validate(instance, ref this);
        Reporting = reporting;
        return valid;
    }
}
