using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace McpWarden.Ui;

/// <summary>
/// The web UI's files, embedded in the gateway's own assembly: nothing is fetched from elsewhere, nothing is
/// built at run time, and the UI works offline. Read once at start, with an ETag per file for revalidation.
/// </summary>
internal sealed class UiAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, UiAsset> _assets;

    private UiAssets(FrozenDictionary<string, UiAsset> assets) => _assets = assets;

    public static UiAssets Load()
    {
        var assembly = typeof(UiAssets).Assembly;
        var assets = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var path = name[Prefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(path), out var contentType))
            {
                continue;
            }

            var bytes = Read(assembly, name);
            assets[path] = new UiAsset(bytes, contentType, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }

        return new UiAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The file at a path relative to <c>/ui/</c> (such as <c>js/app.js</c>), or null.</summary>
    public UiAsset? Find(string path) => _assets.GetValueOrDefault(path);

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>One file of the UI.</summary>
internal sealed record UiAsset(byte[] Content, string ContentType, string ETag)
{
    public bool IsHtml => ContentType.StartsWith("text/html", StringComparison.Ordinal);
}
