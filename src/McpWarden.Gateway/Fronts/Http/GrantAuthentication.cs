namespace McpWarden.Gateway.Fronts.Http;

/// <summary>Who is calling, as far as the key tells.</summary>
/// <param name="Grant">The grant whose key it is: set for <see cref="GrantAuthenticationOutcome.Authenticated"/> and <see cref="GrantAuthenticationOutcome.ServerNotAllowed"/>, null otherwise.</param>
public readonly record struct GrantAuthentication(GrantAuthenticationOutcome Outcome, string? Grant)
{
    public bool Succeeded => Outcome == GrantAuthenticationOutcome.Authenticated;
}
