namespace McpWarden.Catalog.Classification;

/// <summary>What kind of thing a tool does. Names on the wire and in docs are the lower-case member names.</summary>
public enum ToolCategory
{
    /// <summary>Reads or searches; changes nothing.</summary>
    Read,

    /// <summary>Creates or updates state.</summary>
    Write,

    /// <summary>Sends messages, emails, notifications to people or systems.</summary>
    Communication,

    /// <summary>Runs workflows, commands, code or jobs.</summary>
    Execute,

    /// <summary>Deletes, overwrites, reverses or revokes.</summary>
    Destructive,

    /// <summary>Moves or requests money.</summary>
    Financial,

    /// <summary>Issues or reveals tokens, keys and secrets.</summary>
    Credentials,
}
