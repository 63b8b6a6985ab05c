using System.Text.Json;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.PolicyTesting;

/// <param name="Code">The reason code that must be given, if stated.</param>
/// <param name="Rule">The rule path that must be given, if stated.</param>
/// <param name="RetryAfterSeconds">The retry-after that must be given, in seconds (exact to the millisecond: the clock is virtual), if stated.</param>
/// <param name="MessageContains">A fragment the message must contain, if stated.</param>
public sealed record CallStep(
    int Index,
    string Tool,
    JsonElement Arguments,
    string Grant,
    string Session,
    int Repeat,
    DecisionKind Expect,
    string? Code,
    string? Rule,
    double? RetryAfterSeconds,
    string? MessageContains) : TestStep(Index);
