namespace McpWarden.Policy.Schema;

/// <summary>How strictly a schema's own keywords are checked while compiling it.</summary>
public enum SchemaStrictness
{
    /// <summary>A user's policy file: unknown and unsupported keywords are errors, because a silently ignored constraint is a hole in the policy.</summary>
    Policy,

    /// <summary>A server's tool input schema: unknown keywords are ignored and unsupported ones are reported as warnings and ignored.</summary>
    Upstream,
}
