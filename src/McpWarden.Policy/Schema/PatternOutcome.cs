namespace McpWarden.Policy.Schema;

/// <summary>What matching a string against a pattern established; the last two are undecided and must never count as either answer.</summary>
internal enum PatternOutcome
{
    NoMatch,
    Match,

    /// <summary>The regex ran out of its time budget.</summary>
    TimedOut,

    /// <summary>The string holds a lone surrogate escape, so it has no UTF-16 text to match.</summary>
    NotUtf16,
}
