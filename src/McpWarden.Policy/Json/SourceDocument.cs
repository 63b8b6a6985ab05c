using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using McpWarden.Policy.Diagnostics;

namespace McpWarden.Policy.Json;

/// <summary>
/// A JSON file parsed strictly, remembering where every value and property name stands so that later
/// stages can report line and column by JSON path. Duplicate keys, bad UTF-8 and syntax errors are
/// diagnostics here; System.Text.Json alone would silently keep the last duplicate.
/// </summary>
public sealed class SourceDocument : IDisposable
{
    /// <summary>Deeper documents are refused: no policy needs it, and hostile input must not exhaust the stack.</summary>
    public const int MaxDepth = 256;

    private readonly Dictionary<string, SourcePosition> _valuePositions;
    private readonly Dictionary<string, SourcePosition> _namePositions;
    private readonly JsonDocument? _document;

    private SourceDocument(
        string source,
        JsonDocument? document,
        IReadOnlyList<Diagnostic> diagnostics,
        Dictionary<string, SourcePosition> valuePositions,
        Dictionary<string, SourcePosition> namePositions)
    {
        Source = source;
        _document = document;
        Diagnostics = diagnostics;
        _valuePositions = valuePositions;
        _namePositions = namePositions;
    }

    /// <summary>The file name shown in diagnostics.</summary>
    public string Source { get; }

    /// <summary>Syntax-level diagnostics: invalid JSON or UTF-8, duplicate keys, excessive depth.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The root value, or null when the text could not be parsed at all.</summary>
    public JsonElement? Root => _document?.RootElement;

    /// <summary>Where the value at <paramref name="path"/> starts; falls back to the nearest enclosing value.</summary>
    public SourcePosition PositionOf(string path) => Find(_valuePositions, path);

    /// <summary>Where the property name of the member at <paramref name="path"/> starts (for unknown or misspelt fields).</summary>
    public SourcePosition PositionOfName(string path) =>
        _namePositions.TryGetValue(path, out var position) ? position : PositionOf(path);

    /// <summary>Reads and parses a file; an unreadable file becomes a diagnostic, never an exception.</summary>
    public static SourceDocument Load(string path, string? displayName = null)
    {
        var source = displayName ?? path;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var diagnostic = new Diagnostic(DiagnosticCodes.UnreadableFile, DiagnosticSeverity.Error, source, string.Empty, SourcePosition.Start, $"cannot read the file: {e.Message}");
            return new SourceDocument(source, null, [diagnostic], [], []);
        }

        return Parse(source, bytes);
    }

    /// <summary>Parses UTF-8 JSON text (a leading byte-order mark is allowed).</summary>
    public static SourceDocument Parse(string source, ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        var lines = new LineMap(utf8);
        var diagnostics = new List<Diagnostic>();
        var values = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        var names = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);

        if (!Utf8.IsValid(utf8))
        {
            var offset = FirstInvalidUtf8Offset(utf8);
            diagnostics.Add(new Diagnostic(DiagnosticCodes.InvalidUtf8, DiagnosticSeverity.Error, source, string.Empty, lines.PositionOf(utf8, offset), $"invalid UTF-8 at byte offset {offset}"));
            return new SourceDocument(source, null, diagnostics, values, names);
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.EmptyDocument, DiagnosticSeverity.Error, source, string.Empty, SourcePosition.Start, "the document is empty"));
            return new SourceDocument(source, null, diagnostics, values, names);
        }

        if (!IndexPositions(source, utf8, lines, values, names, diagnostics))
        {
            return new SourceDocument(source, null, diagnostics, values, names);
        }

        var document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
        return new SourceDocument(source, document, diagnostics, values, names);
    }

    /// <summary>Parses an in-memory string, for inline documents and tests.</summary>
    public static SourceDocument Parse(string source, string text) => Parse(source, Encoding.UTF8.GetBytes(text));

    public void Dispose() => _document?.Dispose();

    private static SourcePosition Find(Dictionary<string, SourcePosition> positions, string path)
    {
        // Walk up the pointer until a known value: a missing field is reported at its parent object.
        var current = path;
        while (true)
        {
            if (positions.TryGetValue(current, out var position))
            {
                return position;
            }

            if (current.Length == 0)
            {
                return SourcePosition.Start;
            }

            current = current[..current.LastIndexOf('/')];
        }
    }

    /// <summary>
    /// One pass of the reader over the text: records the position of every value and property name by
    /// JSON pointer and reports syntax errors, excessive depth and duplicate keys. False when the text is
    /// not JSON at all.
    /// </summary>
    private static bool IndexPositions(
        string source,
        ReadOnlySpan<byte> utf8,
        LineMap lines,
        Dictionary<string, SourcePosition> values,
        Dictionary<string, SourcePosition> names,
        List<Diagnostic> diagnostics)
    {
        // The reader's own depth limit is set one higher so that ours reports with a path.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth + 1, CommentHandling = JsonCommentHandling.Disallow });
        var frames = new Stack<Frame>();
        var currentPath = string.Empty;
        string? pendingName = null;
        var tooDeepReported = false;

        try
        {
            while (reader.Read())
            {
                var position = lines.PositionOf(utf8, (int)reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                    {
                        var frame = frames.Peek();
                        if (!TryGetString(ref reader, out var name))
                        {
                            diagnostics.Add(UnpairedSurrogate(source, frame.Path, position));
                            return false;
                        }

                        var path = JsonPointer.Append(frame.Path, name);
                        if (!frame.Names!.Add(name))
                        {
                            diagnostics.Add(new Diagnostic(DiagnosticCodes.DuplicateKey, DiagnosticSeverity.Error, source, path, position, $"duplicate key {JsonText.Quote(name)}: a key may appear only once in an object"));
                        }
                        else
                        {
                            names[path] = position;
                        }

                        pendingName = name;
                        continue;
                    }

                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.Pop();
                        continue;
                }

                // A value: its path is the parent's plus the pending property name or the array index.
                var valuePath = frames.Count == 0
                    ? string.Empty
                    : frames.Peek().IsArray
                        ? JsonPointer.Append(frames.Peek().Path, frames.Peek().NextIndex++)
                        : JsonPointer.Append(frames.Peek().Path, pendingName!);
                values.TryAdd(valuePath, position);
                currentPath = valuePath;

                // Every later stage reads strings freely, so text that is not Unicode stops here.
                if (reader.TokenType == JsonTokenType.String && !TryGetString(ref reader, out _))
                {
                    diagnostics.Add(UnpairedSurrogate(source, valuePath, position));
                    return false;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (frames.Count >= MaxDepth && !tooDeepReported)
                    {
                        diagnostics.Add(new Diagnostic(DiagnosticCodes.TooDeep, DiagnosticSeverity.Error, source, valuePath, position, $"the document nests deeper than {MaxDepth} levels"));
                        tooDeepReported = true;
                    }

                    frames.Push(new Frame(valuePath, reader.TokenType == JsonTokenType.StartArray));
                    if (tooDeepReported)
                    {
                        return false;
                    }
                }
            }
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var byteInLine = (int)(e.BytePositionInLine ?? 0);
            var position = lines.PositionOfLineByte(utf8, line, byteInLine);
            diagnostics.Add(new Diagnostic(DiagnosticCodes.InvalidJson, DiagnosticSeverity.Error, source, currentPath, position, $"invalid JSON: {TrimReaderMessage(e.Message)}"));
            return false;
        }

        return diagnostics.Count == 0 || diagnostics.TrueForAll(d => d.Code == DiagnosticCodes.DuplicateKey);
    }

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

    private static Diagnostic UnpairedSurrogate(string source, string path, SourcePosition position) =>
        new(DiagnosticCodes.InvalidUtf8, DiagnosticSeverity.Error, source, path, position, "a string escapes an unpaired UTF-16 surrogate (such as \\ud800 alone), which is not Unicode text");

    private static string TrimReaderMessage(string message)
    {
        // The reader appends its own "LineNumber: .. | BytePositionInLine: .." which we already report.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
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

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }

        public HashSet<string>? Names { get; } = isArray ? null : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Turns byte offsets into one-based line and UTF-16 column numbers.</summary>
    private sealed class LineMap
    {
        private readonly List<int> _lineStarts = [0];

        public LineMap(ReadOnlySpan<byte> utf8)
        {
            for (var i = 0; i < utf8.Length; i++)
            {
                if (utf8[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public SourcePosition PositionOf(ReadOnlySpan<byte> utf8, int offset)
        {
            var index = _lineStarts.BinarySearch(offset);
            var line = index >= 0 ? index : ~index - 1;
            return new SourcePosition(line + 1, ColumnOf(utf8, _lineStarts[line], offset));
        }

        public SourcePosition PositionOfLineByte(ReadOnlySpan<byte> utf8, int line, int byteInLine)
        {
            var lineIndex = Math.Clamp(line - 1, 0, _lineStarts.Count - 1);
            var start = _lineStarts[lineIndex];
            return new SourcePosition(lineIndex + 1, ColumnOf(utf8, start, Math.Min(start + byteInLine, utf8.Length)));
        }

        private static int ColumnOf(ReadOnlySpan<byte> utf8, int lineStart, int offset)
        {
            var length = Math.Clamp(offset - lineStart, 0, utf8.Length - lineStart);
            // Columns count UTF-16 units of the text before the token; invalid bytes count one each.
            return Encoding.UTF8.GetCharCount(utf8.Slice(lineStart, length)) + 1;
        }
    }
}
