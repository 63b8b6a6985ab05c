using McpWarden.Policy.Json;

namespace McpWarden.Policy.Diagnostics;

/// <summary>
/// Collects diagnostics for one document (or one part of it: an inline policy inside a configuration or
/// test file), turning document-relative JSON paths into line and column.
/// </summary>
public sealed class DiagnosticSink
{
    private readonly List<Diagnostic> _diagnostics;

    /// <param name="document">The source the paths point into.</param>
    /// <param name="basePath">Where the part being read sits in the document (<c>""</c> for the whole of it).</param>
    /// <param name="diagnostics">The list that receives every diagnostic, shared across stages.</param>
    public DiagnosticSink(SourceDocument document, string basePath, List<Diagnostic> diagnostics)
    {
        Document = document;
        BasePath = basePath;
        _diagnostics = diagnostics;
    }

    public SourceDocument Document { get; }

    public string BasePath { get; }

    public IReadOnlyList<Diagnostic> Diagnostics => _diagnostics;

    public bool HasErrors => _diagnostics.Exists(d => d.IsError);

    /// <summary>Reports an error at the value found at <paramref name="relativePath"/>.</summary>
    public void Error(string code, string relativePath, string message) => Add(code, DiagnosticSeverity.Error, relativePath, message, atName: false);

    /// <summary>Reports an error at the property name of the member at <paramref name="relativePath"/>.</summary>
    public void ErrorAtName(string code, string relativePath, string message) => Add(code, DiagnosticSeverity.Error, relativePath, message, atName: true);

    /// <summary>A sink for a part of the same document (an inline policy, say) that reports into the same list.</summary>
    public DiagnosticSink At(string basePath) => new(Document, basePath, _diagnostics);

    /// <summary>Adds a diagnostic found by an earlier stage (such as the source document's).</summary>
    public void Add(Diagnostic diagnostic) => _diagnostics.Add(diagnostic);

    public void Warning(string code, string relativePath, string message) => Add(code, DiagnosticSeverity.Warning, relativePath, message, atName: false);

    public void WarningAtName(string code, string relativePath, string message) => Add(code, DiagnosticSeverity.Warning, relativePath, message, atName: true);

    private void Add(string code, DiagnosticSeverity severity, string relativePath, string message, bool atName)
    {
        var path = BasePath + relativePath;
        var position = atName ? Document.PositionOfName(path) : Document.PositionOf(path);
        _diagnostics.Add(new Diagnostic(code, severity, Document.Source, path, position, message));
    }
}
