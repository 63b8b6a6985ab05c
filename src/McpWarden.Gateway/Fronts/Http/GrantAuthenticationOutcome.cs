namespace McpWarden.Gateway.Fronts.Http;

/// <summary>What a request's credentials amount to; each is answered differently (docs/cli.md).</summary>
public enum GrantAuthenticationOutcome
{
    /// <summary>The key is a grant's, and the grant may reach the server asked for (or no keys are needed).</summary>
    Authenticated,

    /// <summary>No <c>Authorization</c> header, another scheme than <c>Bearer</c>, or an empty or oversized key: 401.</summary>
    MissingKey,

    /// <summary>A key that is no grant's: 401.</summary>
    UnknownKey,

    /// <summary>A grant's key, but the grant may not reach the server asked for: 403.</summary>
    ServerNotAllowed,
}
