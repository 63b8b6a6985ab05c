using McpWarden.Gateway.Configuration;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>One <c>tools/call</c> at the gate, with everything deciding it needs.</summary>
/// <param name="Server">The server's definition when the call arrived: its policy and mode decide.</param>
/// <param name="Call">The call as read from the message body.</param>
/// <param name="Tools">The server's tool list as the gateway last saw it.</param>
/// <param name="SessionLabel">The session's name in logs and the audit (never its id, which is a credential).</param>
/// <param name="CurrentPolicy">The server's policy now: after a wait for a person, an approval holds only if the policy it was given under still stands.</param>
/// <param name="AskClient">
/// Asks the calling client's user through elicitation, when the client declared it can: true approve, false deny,
/// null no usable answer (the queue decides). Null when the client cannot be asked.
/// </param>
/// <param name="Span">The call's span, when it is traced: the gate records its decisions and a hold on it.</param>
public sealed record GateCall(
    ServerDefinition Server,
    ToolCall Call,
    ToolSnapshot Tools,
    string SessionLabel,
    Func<CompiledPolicy> CurrentPolicy,
    Func<Approvals.Approval, CancellationToken, Task<bool?>>? AskClient = null,
    System.Diagnostics.Activity? Span = null);
