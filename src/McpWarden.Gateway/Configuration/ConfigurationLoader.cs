using System.Text.Json;
using McpWarden.Policy;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;

namespace McpWarden.Gateway.Configuration;

/// <summary>
/// Loads the gateway's configuration file as strictly as a policy: every unknown field, wrong type, unset
/// variable and invalid policy is a diagnostic with its path and line, all reported at once, and a
/// configuration with any error is not used at all.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>The embedded store's file name, beside the configuration, when <c>store</c> does not say.</summary>
    public const string DefaultStoreFile = "mcpwarden.db";

    /// <summary>What a server without a <c>policy</c> gets: nothing is allowed.</summary>
    public const string DefaultPolicy = """{"version":"1","default":"deny"}""";

    /// <summary>Whether a document is a configuration file (it has <c>mcpServers</c>) rather than a policy.</summary>
    public static bool IsConfiguration(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("mcpServers", out _);

    /// <summary>Reads and loads a configuration file; <paramref name="environment"/> answers <c>${NAME}</c>.</summary>
    public static ConfigurationLoadResult LoadFile(string path, Func<string, string?> environment, string? displayName = null)
    {
        using var document = SourceDocument.Load(path, displayName);
        return Load(document, Path.GetFullPath(path), environment);
    }

    /// <summary>Loads a parsed configuration document found at <paramref name="fullPath"/>.</summary>
    public static ConfigurationLoadResult Load(SourceDocument document, string fullPath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Root is not { } root)
        {
            return new ConfigurationLoadResult(null, document.Diagnostics) { Files = [fullPath] };
        }

        var diagnostics = new List<Diagnostic>();
        var reader = new ConfigurationReader(new DiagnosticSink(document, string.Empty, diagnostics), Path.GetDirectoryName(fullPath) ?? ".", environment);
        var configuration = reader.Read(root, fullPath);

        // The document's own findings (duplicate keys) count wherever they are; those inside inline
        // policies have already been added by the policy loader.
        foreach (var diagnostic in document.Diagnostics.Where(d => !diagnostics.Contains(d)))
        {
            diagnostics.Add(diagnostic);
        }

        return new ConfigurationLoadResult(diagnostics.Exists(d => d.IsError) ? null : configuration, diagnostics)
        {
            Files = [fullPath, .. reader.PolicyFiles.Distinct(StringComparer.Ordinal)],
        };
    }

    internal static PolicyLoadResult LoadDefaultPolicy() => PolicyLoader.LoadText("(default policy)", DefaultPolicy);
}
