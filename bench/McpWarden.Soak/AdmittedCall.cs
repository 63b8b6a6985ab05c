namespace McpWarden.Soak;

/// <summary>
/// A call under limits that ran: between <see cref="Sent"/> and <see cref="Answered"/> (run seconds) the gateway
/// admitted it, so it took its units from each of its limits at some instant in that interval.
/// </summary>
internal sealed record AdmittedCall(CallPlan Plan, int Grant, string Session, double Sent, double Answered);
