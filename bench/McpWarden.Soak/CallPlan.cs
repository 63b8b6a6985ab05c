namespace McpWarden.Soak;

/// <summary>
/// One call a client makes and what the policy must answer: <see cref="Denial"/> when the call must be refused,
/// else success, or a <c>rate_limited</c> refusal by one of <see cref="Limits"/>.
/// </summary>
/// <param name="Label">The kind of call in the report (the tool, or e.g. "mpesa_stk_push (bad phone)").</param>
/// <param name="Arguments">The call's <c>arguments</c>, as JSON.</param>
/// <param name="Cost">What the call takes from a spend cap (its amount); 0 when it has none.</param>
internal sealed record CallPlan(string Label, string Tool, string Arguments, ExpectedDenial? Denial, IReadOnlyList<LimitDefinition> Limits, double Cost)
{
    /// <summary>How the fixture's answer begins when the call ran: proof that the server, not the gateway, answered.</summary>
    public string SuccessText => Tool == "test_simple_text" ? "This is a simple text response for testing." : Tool + " called with ";
}
