using System.Text;

namespace McpWarden.Policy.Schema;

/// <summary>RFC 6901 JSON Pointer helpers for schema and instance paths.</summary>
internal static class JsonPointer
{
    public static string Escape(string segment) =>
        segment.Contains('~') || segment.Contains('/') ? segment.Replace("~", "~0").Replace("/", "~1") : segment;

    public static string Append(string path, string segment) => path + "/" + Escape(segment);

    public static string Append(string path, int index) => path + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Splits a pointer such as <c>/a~1b/0</c> into unescaped segments; false if it is not a pointer.</summary>
    public static bool TryParse(string pointer, out List<string> segments)
    {
        segments = [];
        if (pointer.Length == 0)
        {
            return true;
        }

        if (pointer[0] != '/')
        {
            return false;
        }

        foreach (var raw in pointer[1..].Split('/'))
        {
            var segment = new StringBuilder(raw.Length);
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] != '~')
                {
                    segment.Append(raw[i]);
                    continue;
                }

                // "~" must be followed by 0 or 1; anything else makes the pointer invalid.
                if (i + 1 >= raw.Length || (raw[i + 1] != '0' && raw[i + 1] != '1'))
                {
                    return false;
                }

                segment.Append(raw[i + 1] == '0' ? '~' : '/');
                i++;
            }

            segments.Add(segment.ToString());
        }

        return true;
    }
}
