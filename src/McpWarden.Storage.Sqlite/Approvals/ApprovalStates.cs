using McpWarden.Gateway.Approvals;

namespace McpWarden.Storage.Sqlite.Approvals;

/// <summary>How an approval's state is written in the file: words, so that the file reads plainly in <c>sqlite3</c>.</summary>
internal static class ApprovalStates
{
    public const string Pending = "pending";

    public static string Text(ApprovalState state) => state switch
    {
        ApprovalState.Pending => Pending,
        ApprovalState.Approved => "approved",
        ApprovalState.Denied => "denied",
        ApprovalState.TimedOut => "timed_out",
        ApprovalState.Abandoned => "abandoned",
        ApprovalState.Used => "used",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not an approval state"),
    };

    public static ApprovalState Parse(string text) => text switch
    {
        Pending => ApprovalState.Pending,
        "approved" => ApprovalState.Approved,
        "denied" => ApprovalState.Denied,
        "timed_out" => ApprovalState.TimedOut,
        "abandoned" => ApprovalState.Abandoned,
        "used" => ApprovalState.Used,
        _ => throw new InvalidDataException($"the store holds an approval in an unknown state '{text}'"),
    };
}
