using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using McpWarden.Policy.Diagnostics;

namespace McpWarden.Policy.Json;

/// <summary>
/// A JSON file parsed strictly, remembering where every value and property name stands so that later
/// stages can report line and column by JSON path. Duplicate keys, bad UTF-8, unpaired surrogate escapes,
/// excessive size or depth and syntax errors are diagnostics here; System.Text.Json alone would silently
/// keep the last duplicate.
/// </summary>
public sealed class SourceDocument : IDisposable
{
    /// <summary>Deeper documents are refused: no policy needs it, and hostile input must not exhaust the stack.</summary>
    public const int MaxDepth = 256;

    /// <summary>Larger documents are refused: a policy of 10,000 rules is about one MiB.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    private static readonly Diagnostic[] NoDiagnostics = [];

    private readonly SourceIndex? _index;
    private readonly JsonDocument? _document;

    private SourceDocument(string source, JsonDocument? document, SourceIndex? index, IReadOnlyList<Diagnostic> diagnostics)
    {
        Source = source;
        _document = document;
        _index = index;
        Diagnostics = diagnostics;
    }

    /// <summary>The file name shown in diagnostics.</summary>
    public string Source { get; }

    /// <summary>Syntax-level diagnostics: invalid JSON or UTF-8, duplicate keys, excessive size or depth.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The root value, or null when the text could not be parsed at all.</summary>
    public JsonElement? Root => _document?.RootElement;

    /// <summary>Where the value at <paramref name="path"/> starts; falls back to the nearest enclosing value.</summary>
    public SourcePosition PositionOf(string path) => _index?.PositionOf(path, name: false) ?? SourcePosition.Start;

    /// <summary>Where the property name of the member at <paramref name="path"/> starts (for unknown or misspelt fields).</summary>
    public SourcePosition PositionOfName(string path) => _index?.PositionOf(path, name: true) ?? SourcePosition.Start;

    /// <summary>Reads and parses a file; an unreadable or oversized file becomes a diagnostic, never an exception.</summary>
    public static SourceDocument Load(string path, string? displayName = null)
    {
        var source = displayName ?? path;
        try
        {
            if (new FileInfo(path).Length > MaxBytes)
            {
                return Failed(source, new Diagnostic(DiagnosticCodes.TooLarge, DiagnosticSeverity.Error, source, string.Empty, SourcePosition.Start, $"the file is larger than {MaxBytes / 1024 / 1024} MiB"));
            }

            return ReadBounded(path) is { } text
                ? Parse(source, text.Span)
                : Failed(source, new Diagnostic(DiagnosticCodes.TooLarge, DiagnosticSeverity.Error, source, string.Empty, SourcePosition.Start, $"the file is larger than {MaxBytes / 1024 / 1024} MiB"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failed(source, new Diagnostic(DiagnosticCodes.UnreadableFile, DiagnosticSeverity.Error, source, string.Empty, SourcePosition.Start, $"cannot read the file: {Excerpt(e.Message)}"));
        }
    }

    /// <summary>
    /// The file's bytes, or null past the size limit. The length a file reports is not trusted: a device
    /// reports 0 and /dev/zero never ends, so reading stops one chunk past the limit whatever it said.
    /// </summary>
    private static ReadOnlyMemory<byte>? ReadBounded(string path)
    {
        var limit = MaxBytes + Encoding.UTF8.Preamble.Length;
        using var file = File.OpenRead(path);
        using var text = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = file.Read(chunk)) > 0)
        {
            if (text.Length + read > limit)
            {
                return null;
            }

            text.Write(chunk, 0, read);
        }

        return text.GetBuffer().AsMemory(0, (int)text.Length);
    }

    /// <summary>Parses an in-memory string, for inline documents and tests.</summary>
    public static SourceDocument Parse(string source, string text) => Parse(source, Encoding.UTF8.GetBytes(text));

    /// <summary>Parses UTF-8 JSON text (a leading byte-order mark is allowed).</summary>
    public static SourceDocument Parse(string source, ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        if (utf8.Length > MaxBytes)
        {
            return Failed(source, new Diagnostic(DiagnosticCodes.TooLarge, DiagnosticSeverity.Error, source, string.Empty, SourcePosition.Start, $"the document is larger than {MaxBytes / 1024 / 1024} MiB"));
        }

        var text = utf8.ToArray();
        var index = new SourceIndex(text);
        if (!Utf8.IsValid(text))
        {
            var offset = FirstInvalidUtf8Offset(text);
            return Failed(source, new Diagnostic(DiagnosticCodes.InvalidUtf8, DiagnosticSeverity.Error, source, string.Empty, index.PositionAt(offset), $"invalid UTF-8 at byte offset {offset}"));
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Failed(source, new Diagnostic(DiagnosticCodes.EmptyDocument, DiagnosticSeverity.Error, source, string.Empty, SourcePosition.Start, "the document is empty"));
        }

        var diagnostics = new List<Diagnostic>();
        if (!IndexValues(source, text, index, diagnostics))
        {
            return new SourceDocument(source, null, index, diagnostics);
        }

        var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
        return new SourceDocument(source, document, index, diagnostics.Count == 0 ? NoDiagnostics : diagnostics);
    }

    public void Dispose() => _document?.Dispose();

    private static SourceDocument Failed(string source, Diagnostic diagnostic) => new(source, null, null, [diagnostic]);

    /// <summary>
    /// One pass of the reader over the text: records every value and property name in the index and reports
    /// syntax errors, excessive depth, unpaired surrogate escapes and duplicate keys. False when the text
    /// cannot be used at all (duplicate keys alone still let later stages report what else is wrong).
    /// </summary>
    private static bool IndexValues(string source, byte[] text, SourceIndex index, List<Diagnostic> diagnostics)
    {
        // The reader's own depth limit is set one higher so that ours reports with a path.
        var reader = new Utf8JsonReader(text, new JsonReaderOptions { MaxDepth = MaxDepth + 1, CommentHandling = JsonCommentHandling.Disallow });
        var containers = new Stack<Container>();
        var lastNode = SourceIndex.NoNode;
        string? pendingName = null;
        var pendingNameOffset = -1;

        Diagnostic Error(string code, int node, int offset, string message) =>
            new(code, DiagnosticSeverity.Error, source, node == SourceIndex.NoNode ? string.Empty : index.PathOf(node), index.PositionAt(offset), message);

        try
        {
            while (reader.Read())
            {
                var offset = (int)reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (!TryGetString(ref reader, out pendingName))
                        {
                            diagnostics.Add(Error(DiagnosticCodes.InvalidUtf8, containers.Peek().Node, offset, UnpairedSurrogateMessage));
                            return false;
                        }

                        pendingNameOffset = offset;
                        continue;

                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        containers.Pop();
                        continue;
                }

                // A value: its segment is the pending property name, or its index in the enclosing array.
                var parent = containers.Count == 0 ? null : containers.Peek();
                var segment = parent is null ? string.Empty : parent.IsArray ? (parent.Count++).ToString(System.Globalization.CultureInfo.InvariantCulture) : pendingName!;
                var unique = index.TryAdd(parent?.Node ?? SourceIndex.NoNode, segment, offset, parent is { IsArray: false } ? pendingNameOffset : -1, out lastNode);
                if (!unique)
                {
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.DuplicateKey, DiagnosticSeverity.Error, source, JsonPointer.Append(index.PathOf(parent!.Node), segment), index.PositionAt(pendingNameOffset), $"duplicate key {JsonText.Quote(segment)}: a key may appear only once in an object"));
                }

                // Every later stage reads strings freely, so text that is not Unicode stops here.
                if (reader.TokenType == JsonTokenType.String && !TryGetString(ref reader, out _))
                {
                    diagnostics.Add(Error(DiagnosticCodes.InvalidUtf8, lastNode, offset, UnpairedSurrogateMessage));
                    return false;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (containers.Count >= MaxDepth)
                    {
                        diagnostics.Add(Error(DiagnosticCodes.TooDeep, lastNode, offset, $"the document nests deeper than {MaxDepth} levels"));
                        return false;
                    }

                    containers.Push(new Container(lastNode, reader.TokenType == JsonTokenType.StartArray));
                }
            }
        }
        catch (JsonException e)
        {
            var offset = index.OffsetOf((int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0));
            diagnostics.Add(Error(DiagnosticCodes.InvalidJson, lastNode, offset, $"invalid JSON: {TrimReaderMessage(e.Message)}"));
            return false;
        }

        return true;
    }

    private const string UnpairedSurrogateMessage = "a string escapes an unpaired UTF-16 surrogate (such as \\ud800 alone), which is not Unicode text";

    /// <summary>Reads a string token; false when its escapes leave an unpaired surrogate (not Unicode text).</summary>
    private static bool TryGetString(ref Utf8JsonReader reader, out string text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>The longest system message (the reader's, or the file system's) a diagnostic repeats.</summary>
    private const int MaxSystemMessageLength = 200;

    private static string TrimReaderMessage(string message)
    {
        // The reader appends its own "LineNumber: .. | BytePositionInLine: .." which we already report.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return Excerpt((cut > 0 ? message[..cut] : message).TrimEnd('.', ' '));
    }

    /// <summary>
    /// A system message as a diagnostic repeats it. The reader quotes an invalid literal as sent, the file
    /// system a path as given: escaped, a newline or terminal escape in them cannot break the one-line output
    /// of <c>mcpwarden check</c> or a log line; shortened, a megabyte of garbage is not echoed back.
    /// </summary>
    private static string Excerpt(string message)
    {
        var text = JsonText.Escape(message);
        return text.Length <= MaxSystemMessageLength ? text : text[..MaxSystemMessageLength] + "…";
    }

    private static int FirstInvalidUtf8Offset(ReadOnlySpan<byte> utf8)
    {
        var buffer = ArrayPool<char>.Shared.Rent(utf8.Length + 1);
        try
        {
            Utf8.ToUtf16(utf8, buffer, out var bytesRead, out _, replaceInvalidSequences: false);
            return bytesRead;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private sealed class Container(int node, bool isArray)
    {
        public int Node { get; } = node;

        public bool IsArray { get; } = isArray;

        public int Count { get; set; }
    }
}
