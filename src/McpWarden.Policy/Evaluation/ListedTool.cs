using McpWarden.Policy.Schema;

namespace McpWarden.Policy.Evaluation;

/// <summary>A tool as the server's latest <c>tools/list</c> declared it.</summary>
/// <param name="Name">The tool's name (already checked to be NFC and visible).</param>
/// <param name="InputSchema">The compiled <c>inputSchema</c>; null when the server declared none.</param>
/// <param name="ChangedSincePinned">True when its definition differs from the pinned one and no one accepted the change.</param>
/// <param name="InputSchemaProblem">Why a declared <c>inputSchema</c> could not be compiled: calls are then refused, never let through unchecked.</param>
/// <param name="Withheld">
/// Why the gateway withholds the tool whatever the policy says (the poisoning scan flagged it, its pin could not be
/// checked): its calls are refused with that code and message.
/// </param>
public sealed record ListedTool(string Name, CompiledSchema? InputSchema, bool ChangedSincePinned = false, string? InputSchemaProblem = null, ToolWithheld? Withheld = null);

/// <summary>Why the gateway refuses every call of a listed tool before any rule applies.</summary>
/// <param name="Code">One of <see cref="ReasonCodes"/>.</param>
public sealed record ToolWithheld(string Code, string Message);
