using System.Buffers;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// Reads newline-delimited messages from a stream without ever holding more than the size limit of one:
/// a longer line is skipped to its end and reported by its length, so a hostile client cannot make the
/// gateway buffer gigabytes.
/// </summary>
internal sealed class BoundedLineReader
{
    private readonly Stream _input;
    private readonly int _maxBytes;
    private readonly byte[] _chunk = new byte[64 * 1024];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _chunkStart;
    private int _chunkEnd;

    public BoundedLineReader(Stream input, int maxBytes)
    {
        _input = input;
        _maxBytes = maxBytes;
    }

    /// <summary>The next line (without its newline), or null at the end of the stream; <c>TooLong</c> carries the length of a skipped line.</summary>
    public async ValueTask<(ReadOnlyMemory<byte>? Line, long TooLong)> ReadAsync(CancellationToken cancellationToken)
    {
        _line.ResetWrittenCount();
        long skipped = 0;
        while (true)
        {
            if (_chunkStart == _chunkEnd)
            {
                _chunkStart = 0;
                _chunkEnd = await _input.ReadAsync(_chunk, cancellationToken).ConfigureAwait(false);
                if (_chunkEnd == 0)
                {
                    return _line.WrittenCount > 0 || skipped > 0 ? Finish(skipped) : (null, 0);
                }
            }

            var available = _chunk.AsSpan(_chunkStart, _chunkEnd - _chunkStart);
            var newline = available.IndexOf((byte)'\n');
            var piece = newline < 0 ? available : available[..newline];
            _chunkStart += newline < 0 ? piece.Length : piece.Length + 1;

            if (skipped > 0 || _line.WrittenCount + piece.Length > _maxBytes)
            {
                skipped += _line.WrittenCount + piece.Length;
                _line.ResetWrittenCount();
            }
            else
            {
                _line.Write(piece);
            }

            if (newline >= 0)
            {
                return Finish(skipped);
            }
        }
    }

    private (ReadOnlyMemory<byte>? Line, long TooLong) Finish(long skipped)
    {
        if (skipped > 0)
        {
            return (ReadOnlyMemory<byte>.Empty, skipped);
        }

        // A CRLF line ending leaves a carriage return, which is whitespace to JSON but not worth keeping.
        var line = _line.WrittenMemory;
        return (line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line, 0);
    }
}
