namespace McpWarden.Gateway.Approvals;

/// <summary>
/// The one spelling of each approval state, wherever a state is written as text: the admin API, its
/// <c>?state=</c> filter, and the store's column (so the file reads plainly in <c>sqlite3</c>).
/// </summary>
public static class ApprovalStateNames
{
    /// <summary><c>pending</c>, <c>approved</c>, <c>denied</c>, <c>timed_out</c>, <c>abandoned</c> or <c>used</c>.</summary>
    public static string Text(ApprovalState state) => state switch
    {
        ApprovalState.Pending => "pending",
        ApprovalState.Approved => "approved",
        ApprovalState.Denied => "denied",
        ApprovalState.TimedOut => "timed_out",
        ApprovalState.Abandoned => "abandoned",
        ApprovalState.Used => "used",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not an approval state"),
    };

    public static bool TryParse(string text, out ApprovalState state)
    {
        foreach (var candidate in Enum.GetValues<ApprovalState>())
        {
            if (Text(candidate) == text)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
