namespace McpWarden.Policy.Diagnostics;

/// <summary>How serious a diagnostic is: any error means the document is not loaded at all.</summary>
public enum DiagnosticSeverity
{
    Warning,
    Error,
}
