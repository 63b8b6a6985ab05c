using System.Text.Json;

namespace McpWarden.Policy.Definitions;

/// <summary>A rule's <c>approval</c> block: how long a held call waits, who is asked, and which calls need no one.</summary>
/// <param name="Timeout">How long a held call waits for a decision.</param>
/// <param name="Via">Who is asked.</param>
/// <param name="Unless">
/// A JSON Schema (object or boolean) for the call's arguments: a call whose arguments validate against it goes on
/// as if the rule allowed it; every other call (including one the schema cannot decide) waits for a person.
/// </param>
public sealed record ApprovalDefinition(TimeSpan Timeout, ApprovalChannel Via, JsonElement? Unless = null)
{
    /// <summary>Five minutes, through the queue, for every call.</summary>
    public static ApprovalDefinition Default { get; } = new(TimeSpan.FromSeconds(300), ApprovalChannel.Queue);
}
