using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway;
using McpWarden.Gateway.Configuration;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;

namespace McpWarden.Cli;

/// <summary>
/// A configuration file opened for a command to change (<c>grant</c>, <c>admin token</c>). It is edited as
/// a tree, so every field the command does not touch is written back as it was and where it was,
/// <c>${NAME}</c> references unexpanded; the gateway's own loader checks the file before the change and the
/// result after it; the result replaces the file atomically, so a reader (or a crash) sees the old file or
/// the new one, never half of one.
/// </summary>
/// <remarks>
/// Unset variables: the file is checked with this command's environment, but the gateway may run with
/// another (a service's), so a <c>${NAME}</c> that is not set here is a note, not a refusal. Only that
/// diagnostic is forgiven: everything else must load exactly as <c>serve</c> would load it.
/// </remarks>
internal sealed class ConfigurationFile
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        // Deep inline argument schemas load (up to the source limit), so they must also write back.
        MaxDepth = SourceDocument.MaxDepth + 1,
        // The file is read by people and by this loader, never embedded in HTML: "+", "<" or "é" stay as typed.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly string _fullPath;
    private readonly string _target;
    private readonly string _display;
    private readonly Func<string, string?> _environment;
    private readonly string _command;
    private readonly byte[] _original;

    private ConfigurationFile(string fullPath, string target, string display, byte[] original, JsonObject root, Func<string, string?> environment, string command)
    {
        _fullPath = fullPath;
        _target = target;
        _display = display;
        _original = original;
        Root = root;
        _environment = environment;
        _command = command;
    }

    /// <summary>The document, to change before <see cref="Save"/>.</summary>
    public JsonObject Root { get; }

    /// <summary>The file as the user named it, for messages.</summary>
    public string Display => _display;

    /// <summary>The names of the configured servers, in file order.</summary>
    public IReadOnlyList<string> ServerNames =>
        Root["mcpServers"] is JsonObject servers ? [.. servers.Select(s => s.Key)] : [];

    /// <summary>
    /// Reads, checks and parses the file; null (with the reasons written to <paramref name="error"/>) when it
    /// cannot be read or does not load.
    /// </summary>
    public static ConfigurationFile? Open(string path, Func<string, string?> environment, string command, TextWriter error)
    {
        var display = DisplayPath.Of(path);
        var fullPath = Path.GetFullPath(path);
        // Writing goes to what a symbolic link points at, so the link stays a link; relative paths inside
        // stay relative to where the gateway finds the file (the link's directory), as the loader reads them.
        string target;
        byte[] original;
        try
        {
            target = new FileInfo(fullPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? fullPath;
            original = File.ReadAllBytes(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{command}: cannot read {display}: {e.Message}");
            return null;
        }

        // The bytes checked are the bytes edited: the file is read once.
        using var document = SourceDocument.Parse(display, original);
        if (document.Root is { } root && !ConfigurationLoader.IsConfiguration(root))
        {
            error.WriteLine($"{command}: {display} is not a configuration file (it has no \"mcpServers\")");
            return null;
        }

        var unset = new SortedSet<string>(StringComparer.Ordinal);
        var loaded = ConfigurationLoader.Load(document, fullPath, name => environment(name) ?? Unset(unset, name));
        if (unset.Count > 0)
        {
            var names = string.Join(", ", unset.Select(n => "${" + n + "}"));
            error.WriteLine($"{command}: note: {names} {(unset.Count == 1 ? "is" : "are")} not set here; not needed to change the file, but the gateway needs {(unset.Count == 1 ? "it" : "them")} where it runs");
        }

        var errors = loaded.Diagnostics.Where(IsRefusal).ToList();
        if (errors.Count > 0)
        {
            foreach (var diagnostic in errors)
            {
                error.WriteLine(diagnostic.ToString());
            }

            error.WriteLine($"{command}: {display} does not load; it was not changed (mcpwarden check {display} lists every problem)");
            return null;
        }

        // The loader has just accepted these bytes: no duplicate keys, no comments, nothing deeper than it allows.
        var bytes = original.AsSpan();
        if (bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        }

        var tree = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = SourceDocument.MaxDepth + 1 })!.AsObject();
        return new ConfigurationFile(fullPath, target, display, original, tree, environment, command);
    }

    /// <summary>Sets a top-level field, where it is if it exists, else right after the first of <paramref name="after"/> present (else last).</summary>
    public void SetField(string name, JsonNode value, params string[] after)
    {
        var index = Root.IndexOf(name);
        if (index >= 0)
        {
            Root.SetAt(index, value);
            return;
        }

        var anchor = after.Select(Root.IndexOf).Where(i => i >= 0).DefaultIfEmpty(Root.Count - 1).First();
        Root.Insert(anchor + 1, name, value);
    }

    /// <summary>
    /// Checks the changed document with the gateway's loader and, when it loads, writes it in place of the
    /// file. False (with the reasons written to <paramref name="error"/>, the file untouched) otherwise.
    /// </summary>
    public bool Save(TextWriter error)
    {
        var text = Root.ToJsonString(WriteOptions) + "\n";
        using (var document = SourceDocument.Parse(_display, text))
        {
            var errors = ConfigurationLoader.Load(document, _fullPath, _environment).Diagnostics.Where(IsRefusal).ToList();
            if (errors.Count > 0)
            {
                // Positions would point into text that was never written: the path and message say it.
                foreach (var diagnostic in errors)
                {
                    error.WriteLine($"{_command}: {diagnostic.Message} ({diagnostic.Code} at {(diagnostic.Path.Length == 0 ? "/" : JsonText.Escape(diagnostic.Path))})");
                }

                error.WriteLine($"{_command}: {_display} was not changed");
                return false;
            }
        }

        var directory = Path.GetDirectoryName(_target)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(_target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // The file holds hashes and may hold secrets in env or headers: whoever could not read it before
                // must not now, not even while the new one is being written.
                options.UnixCreateMode = File.GetUnixFileMode(_target) & (UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
                // On disk before the rename, so a crash leaves the old file or the whole new one.
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(_target));
            }

            // Someone else's change since this command read the file would be lost: refuse it rather than overwrite.
            if (!File.ReadAllBytes(_target).AsSpan().SequenceEqual(_original))
            {
                File.Delete(temporary);
                error.WriteLine($"{_command}: {_display} changed while this command ran; it was not changed, run the command again");
                return false;
            }

            File.Move(temporary, _target, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            error.WriteLine($"{_command}: cannot write {_display}: {e.Message}; it was not changed");
            return false;
        }
    }

    private static string? Unset(SortedSet<string> unset, string name)
    {
        unset.Add(name);
        return null;
    }

    private static bool IsRefusal(Diagnostic diagnostic) => diagnostic.IsError && diagnostic.Code != DiagnosticCodes.MissingVariable;
}
