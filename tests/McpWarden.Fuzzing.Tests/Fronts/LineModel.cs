namespace McpWarden.Fuzzing.Tests.Fronts;

/// <summary>
/// What stdio framing must make of a byte stream, written as plainly as possible: split at every newline;
/// a last piece without one counts only if it is not empty; a piece longer than the limit is reported by its
/// length; one ending in a carriage return loses it.
/// </summary>
internal static class LineModel
{
    public static List<(byte[] Line, long TooLong)> Split(byte[] stream, int maxBytes)
    {
        var lines = new List<(byte[], long)>();
        var start = 0;
        for (var i = 0; i <= stream.Length; i++)
        {
            var end = i == stream.Length;
            if (!end && stream[i] != (byte)'\n')
            {
                continue;
            }

            if (end && i == start)
            {
                break;
            }

            var piece = stream[start..i];
            lines.Add(piece.Length > maxBytes
                ? ([], piece.Length)
                : (piece.Length > 0 && piece[^1] == (byte)'\r' ? piece[..^1] : piece, 0));
            start = i + 1;
        }

        return lines;
    }
}
