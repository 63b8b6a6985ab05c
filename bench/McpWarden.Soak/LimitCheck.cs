namespace McpWarden.Soak;

/// <summary>
/// Proves from the clients' side that no limit admitted more than its max. A call that succeeded was admitted
/// at some instant between its sending and its answer; when calls all sent at or after a time s were all answered
/// before s + window, their admissions fit in one window, and their units together must not exceed the max.
/// Only calls that succeeded count (a call admitted and then failed by the server took units too), so a
/// violation found here is certain; the check cannot see every violation, only never invent one.
/// </summary>
internal static class LimitCheck
{
    public static IReadOnlyList<LimitFinding> Run(IReadOnlyCollection<AdmittedCall> admitted) =>
        SoakPolicy.Limits.Select(limit => Check(limit, admitted.Where(call => call.Plan.Limits.Contains(limit)))).ToList();

    private static LimitFinding Check(LimitDefinition limit, IEnumerable<AdmittedCall> calls)
    {
        var highest = 0.0;
        var violations = new List<string>();
        var count = 0;
        foreach (var budget in calls.GroupBy(call => KeyOf(limit, call)))
        {
            var ordered = budget.OrderBy(call => call.Sent).ToList();
            count += ordered.Count;
            for (var i = 0; i < ordered.Count; i++)
            {
                var start = ordered[i].Sent;
                var end = start + limit.WindowSeconds;
                var units = 0.0;
                for (var j = i; j < ordered.Count && ordered[j].Sent < end; j++)
                {
                    if (ordered[j].Answered < end)
                    {
                        units += CostOf(limit, ordered[j]);
                    }
                }

                highest = Math.Max(highest, units);
                if (units > limit.Max + 1e-9 && violations.Count < 5)
                {
                    violations.Add($"{limit.Counter} ({budget.Key}): {units} units admitted within {limit.WindowSeconds} s from {start:F2} s, max {limit.Max}");
                }
            }
        }

        return new LimitFinding(limit.Counter, limit.Scope.ToString().ToLowerInvariant(), limit.Max, limit.WindowSeconds, count, highest, violations);
    }

    private static string KeyOf(LimitDefinition limit, AdmittedCall call) => limit.Scope switch
    {
        LimitScope.Grant => SoakPolicy.GrantName(call.Grant),
        LimitScope.Session => call.Session,
        _ => "global",
    };

    private static double CostOf(LimitDefinition limit, AdmittedCall call) => limit.CostArgument is null ? 1 : call.Plan.Cost;
}
