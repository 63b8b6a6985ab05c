using System.Globalization;

namespace McpWarden.Soak;

/// <summary>
/// The calls clients make, drawn from a seeded random source: about a quarter plainly allowed, a third denied
/// (by rule, by default, for bad arguments), the rest under limits that the load keeps full.
/// </summary>
internal sealed class CallMix(Random random)
{
    private static readonly ExpectedDenial DeniedByRule = new("denied_by_rule", "/tools/delete_records", SoakPolicy.DeleteReason);
    private static readonly ExpectedDenial DeniedByDefault = new("default_deny", null, null);

    // The tool's own inputSchema wants ^254[17][0-9]{8}$: the gateway refuses before the server sees it.
    private static readonly ExpectedDenial BadPhone = new("invalid_arguments", null, null);

    private int _sequence;

    public CallPlan Next()
    {
        var n = ++_sequence;
        var roll = random.Next(100);
        return roll switch
        {
            < 25 => new CallPlan("get_balance", "get_balance", """{"account":"all"}""", null, [], 0),
            < 45 => new CallPlan("run_workflow", "run_workflow", $$"""{"workflow_id":"soak-{{n.ToString(CultureInfo.InvariantCulture)}}"}""", null, [SoakPolicy.WorkflowsPerGrant], 0),
            < 57 => Push(random.Next(1_000, 5_001)),
            < 62 => new CallPlan("mpesa_stk_push (bad phone)", "mpesa_stk_push", """{"phone":"0700000000","amount":10,"account_reference":"soak"}""", BadPhone, [], 0),
            < 77 => new CallPlan("test_simple_text", "test_simple_text", "{}", null, [SoakPolicy.TextGlobal], 0),
            < 89 => new CallPlan("delete_records", "delete_records", """{"table":"customers","ids":["1","2"]}""", DeniedByRule, [], 0),
            _ => new CallPlan("b2c_payment", "b2c_payment", """{"amount":100,"phone":"254700000000"}""", DeniedByDefault, [], 0),
        };
    }

    private static CallPlan Push(int amount) =>
        new("mpesa_stk_push", "mpesa_stk_push", $$"""{"phone":"254712345678","amount":{{amount.ToString(CultureInfo.InvariantCulture)}},"account_reference":"soak"}""", null, [SoakPolicy.PushesPerSession, SoakPolicy.SpendGlobal], amount);
}
