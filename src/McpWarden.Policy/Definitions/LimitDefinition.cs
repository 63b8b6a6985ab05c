namespace McpWarden.Policy.Definitions;

/// <summary>One sliding-window budget as written in a rule's <c>limits</c> (or its <c>rate_limit</c> shorthand).</summary>
/// <param name="Path">JSON path of the limit within the policy, e.g. <c>/tools/run_workflow/limits/0</c>.</param>
/// <param name="Counter">The budget's name; limits with the same name share one budget.</param>
/// <param name="Window">Length of the sliding window.</param>
/// <param name="Max">Most units admitted in any window-length interval.</param>
/// <param name="Scope">Whose budget.</param>
/// <param name="By">Argument name or JSON Pointer whose value partitions the budget, if any.</param>
/// <param name="Cost">Argument name or JSON Pointer whose numeric value is the call's units, if any.</param>
public sealed record LimitDefinition(
    string Path,
    string Counter,
    TimeSpan Window,
    decimal Max,
    LimitScope Scope,
    string? By,
    string? Cost)
{
    /// <summary>
    /// The window as the policy wrote it: a word (<c>minute</c>) or a number's JSON text (<c>60</c>); null when
    /// built in code. Shown to people beside the seconds; never compared (<c>minute</c> and <c>60</c> agree).
    /// </summary>
    public string? WindowText { get; init; }
}
