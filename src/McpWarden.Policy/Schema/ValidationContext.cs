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

    /// <summary>
    /// The first check that could not be decided (a regex timeout, an unmatchable string), recorded even where
    /// <see cref="Reporting"/> is off. Such a check returns false, which <c>not</c> or <c>if</c> would turn into a
    /// pass, so the whole validation fails whenever this is set, whatever the applicators above it concluded.
    /// </summary>
    public ValidationFailure? Undecided;

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

    public bool FailUndecided(string keyword, string schemaPath, string message)
    {
        var failure = new ValidationFailure(keyword, schemaPath, message);
        Undecided ??= failure;

        // Shared with Failure when reporting, so that the instance path is assembled on it while the failure unwinds.
        if (Reporting && Failure is null)
        {
            Failure = failure;
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
