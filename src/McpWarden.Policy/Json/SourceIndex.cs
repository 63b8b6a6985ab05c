using McpWarden.Policy.Diagnostics;

namespace McpWarden.Policy.Json;

/// <summary>
/// Where every value and property name of a document starts, stored as byte offsets in a table of nodes
/// (parent, segment). Paths and line/column are built only when a diagnostic asks for them, so indexing
/// costs memory and time in proportion to the text, whatever its nesting or key lengths.
/// </summary>
internal sealed class SourceIndex
{
    /// <summary>The root value's node; its parent is <see cref="NoNode"/>.</summary>
    public const int RootNode = 0;

    public const int NoNode = -1;

    private readonly byte[] _text;
    private readonly List<int> _lineStarts = [0];
    private readonly List<Node> _nodes = [];
    private readonly Dictionary<(int Parent, string Segment), int> _children = [];

    public SourceIndex(byte[] text)
    {
        _text = text;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Adds a value; false (and no lookup entry) when its parent already has a member of that name.</summary>
    public bool TryAdd(int parent, string segment, int valueOffset, int nameOffset, out int node)
    {
        node = _nodes.Count;
        _nodes.Add(new Node(parent, segment, valueOffset, nameOffset));
        return parent == NoNode || _children.TryAdd((parent, segment), node);
    }

    /// <summary>The JSON Pointer of a node, built from its chain of parents.</summary>
    public string PathOf(int node)
    {
        var segments = new Stack<string>();
        for (var current = node; current > RootNode; current = _nodes[current].Parent)
        {
            segments.Push(_nodes[current].Segment);
        }

        var path = string.Empty;
        foreach (var segment in segments)
        {
            path = JsonPointer.Append(path, segment);
        }

        return path;
    }

    /// <summary>
    /// The position of the value (or of the property name) at <paramref name="path"/>; a path that goes
    /// further than the document falls back to the deepest value it reaches.
    /// </summary>
    public SourcePosition PositionOf(string path, bool name)
    {
        if (_nodes.Count == 0 || !JsonPointer.TryParse(path, out var segments))
        {
            return SourcePosition.Start;
        }

        var node = RootNode;
        var complete = true;
        foreach (var segment in segments)
        {
            if (!_children.TryGetValue((node, segment), out var child))
            {
                complete = false;
                break;
            }

            node = child;
        }

        var entry = _nodes[node];
        var offset = name && complete && entry.NameOffset >= 0 ? entry.NameOffset : entry.ValueOffset;
        return PositionAt(offset);
    }

    /// <summary>One-based line and column (in UTF-16 units, as editors count) of a byte offset.</summary>
    public SourcePosition PositionAt(int offset)
    {
        offset = Math.Clamp(offset, 0, _text.Length);
        var index = _lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        var start = _lineStarts[line];
        return new SourcePosition(line + 1, System.Text.Encoding.UTF8.GetCharCount(_text, start, offset - start) + 1);
    }

    /// <summary>The byte offset of a one-based line and a byte position within it (how the reader reports errors).</summary>
    public int OffsetOf(int line, int byteInLine)
    {
        var start = _lineStarts[Math.Clamp(line - 1, 0, _lineStarts.Count - 1)];
        return Math.Min(start + byteInLine, _text.Length);
    }

    private readonly record struct Node(int Parent, string Segment, int ValueOffset, int NameOffset);
}
