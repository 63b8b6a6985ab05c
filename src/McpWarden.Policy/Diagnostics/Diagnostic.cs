using McpWarden.Policy.Json;

namespace McpWarden.Policy.Diagnostics;

/// <summary>One finding about a policy or configuration document, located by JSON path and line/column.</summary>
/// <param name="Code">A stable code such as <c>MW1201</c>; see <see cref="DiagnosticCodes"/>.</param>
/// <param name="Severity">Errors refuse the whole document; warnings do not.</param>
/// <param name="Source">The file (or other source name) the document came from.</param>
/// <param name="Path">RFC 6901 JSON Pointer of the offending value within the source document.</param>
/// <param name="Position">Line and column of the offending token.</param>
/// <param name="Message">What is wrong, quoting the user's input.</param>
public sealed record Diagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string Source,
    string Path,
    SourcePosition Position,
    string Message)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The one-line form <c>FILE:LINE:COL CODE /json/path message</c> that <c>mcpwarden check</c> prints.</summary>
    public override string ToString()
    {
        // A hostile key must not break the one-line format or reach the terminal as control sequences; nor
        // may a file name, or a message that carries one (the system's "cannot read" text quotes it raw).
        var path = Path.Length == 0 ? "/" : JsonText.Escape(Path);
        var prefix = IsError ? string.Empty : "warning: ";
        return $"{JsonText.Escape(Source)}:{Position.Line}:{Position.Column} {Code} {path} {prefix}{JsonText.Escape(Message)}";
    }
}
