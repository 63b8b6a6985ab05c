using McpWarden.Policy.Compilation;
using McpWarden.Policy.Diagnostics;

namespace McpWarden.Policy;

/// <summary>A policy loaded whole, or not at all: <see cref="Policy"/> is null whenever any diagnostic is an error.</summary>
public sealed record PolicyLoadResult(CompiledPolicy? Policy, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Policy is not null;
}
