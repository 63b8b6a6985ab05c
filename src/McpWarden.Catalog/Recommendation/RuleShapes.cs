using McpWarden.Catalog.Classification;

namespace McpWarden.Catalog.Recommendation;

/// <summary>
/// The numbers of a recommended policy, in one place so that the documentation can quote them: what a
/// careful engineer would start from, to be tightened or loosened once real traffic is known.
/// </summary>
public static class RuleShapes
{
    /// <summary>Reads change nothing: allowed, with a generous ceiling against runaway loops.</summary>
    public const int ReadPerMinute = 120;

    /// <summary>Writes change state: allowed, with a tighter ceiling.</summary>
    public const int WritePerMinute = 30;

    /// <summary>Executions start work elsewhere: the seed example's 10 a minute per grant.</summary>
    public const int ExecutePerMinute = 10;

    /// <summary>Messages to people: each approved by a person, and at most this many an hour.</summary>
    public const int CommunicationPerHour = 20;

    /// <summary>Destructive calls: each approved by a person, and at most this many an hour.</summary>
    public const int DestructivePerHour = 10;

    /// <summary>Money: each approved by a person, and at most this many calls a day.</summary>
    public const int FinancialPerDay = 20;

    /// <summary>
    /// Money: at most this much of the amount argument a day, unless the schema caps one call lower (then
    /// that maximum), and never below the schema's minimum for one call (so that one call can still pass).
    /// </summary>
    public const decimal DefaultSpendPerDay = 10_000m;

    /// <summary>The longest <c>reason</c> a recommended rule carries (the rationale is shortened past it).</summary>
    public const int MaxReasonLength = 300;

    /// <summary>What a category's rule does, in words (for documentation and the CLI).</summary>
    public static string Describe(ToolCategory category) => category switch
    {
        ToolCategory.Read => $"allow, at most {ReadPerMinute} calls a minute per grant",
        ToolCategory.Write => $"allow, at most {WritePerMinute} calls a minute per grant",
        ToolCategory.Execute => $"allow, at most {ExecutePerMinute} calls a minute per grant",
        ToolCategory.Communication => $"approve each call, at most {CommunicationPerHour} an hour per grant",
        ToolCategory.Destructive => $"approve each call, at most {DestructivePerHour} an hour per grant",
        ToolCategory.Financial => $"approve each call, at most {FinancialPerDay} a day per grant, and a daily spend cap on the amount argument when there is one",
        ToolCategory.Credentials => "deny, with the rationale as the reason",
        _ => "deny",
    };
}
