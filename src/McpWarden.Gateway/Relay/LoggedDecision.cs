using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// A decision on its way into the log: as <see cref="Decision.ToString"/> writes it, except that an
/// <c>invalid_arguments</c> message, which quotes the offending value (possibly a secret), stays out.
/// </summary>
internal readonly record struct LoggedDecision(Decision Decision)
{
    public override string ToString() => Decision.Code == ReasonCodes.InvalidArguments
        ? $"{Decision.Kind.ToString().ToLowerInvariant()} {Decision.Code} {(Decision.RulePath.Length == 0 ? "-" : Decision.RulePath)}: the arguments did not validate (values are not logged)"
        : Decision.ToString();
}
