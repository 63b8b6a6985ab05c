namespace McpWarden.Soak;

/// <summary>Whose budget a limit keeps, as the policy's <c>scope</c> says.</summary>
internal enum LimitScope
{
    Grant,
    Session,
    Global,
}
