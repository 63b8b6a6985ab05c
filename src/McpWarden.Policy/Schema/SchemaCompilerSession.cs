using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpWarden.Policy.Schema.Keywords;

namespace McpWarden.Policy.Schema;

/// <summary>The state of one compilation: walks the schema once, collects every diagnostic, then binds local $refs.</summary>
internal sealed partial class SchemaCompilerSession(JsonElement root, SchemaCompileOptions options)
{
    private const string Draft7Uri = "http://json-schema.org/draft-07/schema";
    private const string Draft202012Uri = "https://json-schema.org/draft/2020-12/schema";

    private readonly List<SchemaDiagnostic> diagnostics = [];
    private readonly Dictionary<string, SchemaNode> nodes = new(StringComparer.Ordinal);
    private readonly Queue<PendingReference> pendingReferences = new();
    private readonly Dictionary<string, string> anchors = new(StringComparer.Ordinal);
    private readonly TimeSpan regexTimeout = options.RegexTimeout ?? SchemaCompileOptions.DefaultRegexTimeout;
    private SchemaDialect dialect = options.DefaultDialect;
    private Uri? rootId;

    private bool IsPolicy => options.Strictness == SchemaStrictness.Policy;

    public SchemaCompilation Compile()
    {
        SchemaNode rootNode;
        try
        {
            ReadRootIdentity();
            rootNode = CompileSchema(root, string.Empty, string.Empty, embedded: false);
            BindReferences();
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json throws when a keyword or name holds a lone surrogate escape that no .NET string can represent.
            Invalid(string.Empty, $"the schema contains a string that is not valid UTF-16: {ex.Message}");
            return new SchemaCompilation(null, diagnostics.ToArray());
        }

        var failed = diagnostics.Exists(d => d.IsError);
        return new SchemaCompilation(failed ? null : new CompiledSchema(rootNode, dialect), diagnostics.ToArray());
    }

    private void ReadRootIdentity()
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (root.TryGetProperty("$schema", out var schemaUri))
        {
            var uri = schemaUri.ValueKind == JsonValueKind.String ? schemaUri.GetString()! : null;
            if (uri is null)
            {
                Invalid("/$schema", $"\"$schema\" must be a string, got {JsonText.Describe(schemaUri)}");
            }
            else if (TryParseDialect(uri, out var declared))
            {
                dialect = declared;
            }
            else
            {
                Unsupported("/$schema", $"\"$schema\" {JsonText.Quote(uri)} is not a supported dialect (use \"{Draft7Uri}#\" or \"{Draft202012Uri}\"); "
                    + $"custom meta-schemas are not supported, so the schema is read as {DialectName(dialect)}");
            }
        }

        // Draft-07 ignores every sibling of $ref, $id included.
        var idIgnored = dialect == SchemaDialect.Draft7 && root.TryGetProperty("$ref", out _);
        if (!idIgnored && root.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String
            && Uri.TryCreate(id.GetString(), UriKind.Absolute, out var absolute))
        {
            rootId = absolute;
        }
    }

    private SchemaNode CompileSchema(JsonElement schema, string path, string ownerKeyword, bool embedded)
    {
        if (nodes.TryGetValue(path, out var existing))
        {
            return existing;
        }

        var node = new SchemaNode(path);
        nodes[path] = node;
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Invalid(path, "the schema is nested too deeply to compile");
            return node;
        }

        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return node;
            case JsonValueKind.False:
                node.Initialize([new FalseSchemaValidator(ownerKeyword.Length == 0 ? "false" : ownerKeyword, path)]);
                return node;
            case JsonValueKind.Object:
                break;
            default:
                Invalid(path, $"a schema must be an object or a boolean, got {JsonText.Describe(schema)}");
                return node;
        }

        var validators = new List<KeywordValidator>();
        if (dialect == SchemaDialect.Draft7 && schema.TryGetProperty("$ref", out var draft7Reference))
        {
            // Draft-07: "All other properties in a $ref object MUST be ignored."
            AddReference(validators, draft7Reference, JsonPointer.Append(path, "$ref"), embedded);
            node.Initialize([.. validators]);
            return node;
        }

        if (path.Length > 0 && dialect == SchemaDialect.Draft7 && schema.TryGetProperty("$id", out var draft7Id)
            && draft7Id.ValueKind == JsonValueKind.String && draft7Id.GetString()!.StartsWith('#'))
        {
            // Draft-07 spells an anchor as "$id": "#name"; that names a location without starting a new resource.
            RegisterAnchor(draft7Id.GetString()![1..], JsonPointer.Append(path, "$id"), path);
        }
        else if (path.Length > 0 && schema.TryGetProperty("$id", out _))
        {
            Unsupported(JsonPointer.Append(path, "$id"),
                "\"$id\" in a subschema (an embedded resource) is not supported; it is ignored, and $refs inside it are not resolved");
            embedded = true;
        }

        new KeywordCompiler(this, schema, path, node, embedded, validators).Run();
        node.Initialize([.. validators]);
        return node;
    }

    private SchemaNode[]? CompileSchemaArray(JsonElement value, string path, string keyword, bool embedded, bool allowEmpty = false)
    {
        if (value.ValueKind != JsonValueKind.Array || (!allowEmpty && value.GetArrayLength() == 0))
        {
            Invalid(path, $"\"{keyword}\" must be a non-empty array of schemas, got {JsonText.Describe(value)}");
            return null;
        }

        var result = new SchemaNode[value.GetArrayLength()];
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            result[index] = CompileSchema(item, JsonPointer.Append(path, index), keyword, embedded);
            index++;
        }

        return result;
    }

    private (string[] Names, SchemaNode[] Nodes)? CompileSchemaMap(JsonElement value, string path, string keyword, bool embedded)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            Invalid(path, $"\"{keyword}\" must be an object whose values are schemas, got {JsonText.Describe(value)}");
            return null;
        }

        var names = new List<string>();
        var compiled = new List<SchemaNode>();
        foreach (var member in value.EnumerateObject())
        {
            names.Add(member.Name);
            compiled.Add(CompileSchema(member.Value, JsonPointer.Append(path, member.Name), keyword, embedded));
        }

        return ([.. names], [.. compiled]);
    }

    private PatternMatcher? CompilePattern(JsonElement value, string path, string keyword)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Invalid(path, $"\"{keyword}\" must be a string, got {JsonText.Describe(value)}");
            return null;
        }

        return CompilePattern(value.GetString()!, path, keyword);
    }

    private PatternMatcher? CompilePattern(string pattern, string path, string keyword)
    {
        try
        {
            var regex = new Regex(EcmaScriptPattern.Translate(pattern), RegexOptions.CultureInvariant | RegexOptions.Compiled, regexTimeout);
            return new PatternMatcher(regex, pattern);
        }
        catch (ArgumentException ex)
        {
            Report(SchemaDiagnosticKind.InvalidPattern, path, $"\"{keyword}\" {JsonText.Quote(pattern)} is not a valid regular expression: {ex.Message}", true);
            return null;
        }
    }

    private void AddReference(List<KeywordValidator> validators, JsonElement value, string path, bool embedded)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Invalid(path, $"\"$ref\" must be a string, got {JsonText.Describe(value)}");
            return;
        }

        var reference = value.GetString()!;
        if (embedded)
        {
            Unsupported(path, $"\"$ref\" {JsonText.Quote(reference)} is inside a subschema with its own \"$id\"; resolving against it is not supported");
            return;
        }

        if (!TryGetLocalFragment(reference, out var fragment))
        {
            Unsupported(path, $"\"$ref\" {JsonText.Quote(reference)} is not a local reference; only references starting with \"#\" are supported and remote schemas are never fetched");
            return;
        }

        fragment = Uri.UnescapeDataString(fragment);
        var validator = new RefValidator(path, reference);
        if (fragment.Length > 0 && fragment[0] != '/')
        {
            validators.Add(validator);
            pendingReferences.Enqueue(new PendingReference(validator, null, fragment, path));
            return;
        }

        if (!JsonPointer.TryParse(fragment, out var segments))
        {
            Report(SchemaDiagnosticKind.UnresolvedReference, path, $"\"$ref\" {JsonText.Quote(reference)} is not a valid JSON Pointer", true);
            return;
        }

        validators.Add(validator);
        pendingReferences.Enqueue(new PendingReference(validator, segments, null, path));
    }

    private bool TryGetLocalFragment(string reference, out string fragment)
    {
        if (reference.StartsWith('#'))
        {
            fragment = reference[1..];
            return true;
        }

        // A reference spelling out the root's own $id is still local.
        fragment = string.Empty;
        if (rootId is null || !Uri.TryCreate(rootId, reference, out var resolved)
            || resolved.GetLeftPart(UriPartial.Query) != rootId.GetLeftPart(UriPartial.Query))
        {
            return false;
        }

        fragment = resolved.Fragment.TrimStart('#');
        return true;
    }

    /// <summary>Records a location-independent identifier: 2020-12 <c>$anchor</c> or a draft-07 <c>$id</c> of the form <c>#name</c>.</summary>
    private void RegisterAnchor(string name, string keywordPath, string schemaPath)
    {
        if (!IsAnchorName(name))
        {
            Invalid(keywordPath, $"anchor {JsonText.Quote(name)} must start with a letter or \"_\" and contain only letters, digits, \"-\", \"_\", \".\"");
        }
        else if (!anchors.TryAdd(name, schemaPath))
        {
            Invalid(keywordPath, $"anchor {JsonText.Quote(name)} is already declared at {JsonText.Quote(anchors[name])}");
        }
    }

    private static bool IsAnchorName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private void BindReferences()
    {
        // Binding can compile new targets (a pointer into an ignored or unknown keyword), which can queue more references;
        // anchors are looked up only once every pointer target (and so every anchor they declare) has been compiled.
        var anchorReferences = new List<PendingReference>();
        while (pendingReferences.TryDequeue(out var pending))
        {
            if (pending.Segments is null)
            {
                anchorReferences.Add(pending);
                continue;
            }

            var current = root;
            var path = string.Empty;
            var embedded = false;
            var resolved = true;
            foreach (var segment in pending.Segments)
            {
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
                {
                    current = child;
                }
                else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index) && index >= 0
                    && index < current.GetArrayLength() && segment == index.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    current = current[index];
                }
                else
                {
                    resolved = false;
                    break;
                }

                path = JsonPointer.Append(path, segment);
                embedded |= current.ValueKind == JsonValueKind.Object && current.TryGetProperty("$id", out _);
            }

            if (!resolved)
            {
                Report(SchemaDiagnosticKind.UnresolvedReference, pending.Path,
                    $"\"$ref\" {JsonText.Quote(pending.Validator.Reference)} does not point at anything in this schema", true);
                continue;
            }

            pending.Validator.Bind(CompileSchema(current, path, "$ref", embedded));
        }

        foreach (var pending in anchorReferences)
        {
            if (anchors.TryGetValue(pending.Anchor!, out var anchorPath))
            {
                pending.Validator.Bind(nodes[anchorPath]);
            }
            else
            {
                Report(SchemaDiagnosticKind.UnresolvedReference, pending.Path,
                    $"\"$ref\" {JsonText.Quote(pending.Validator.Reference)} names anchor {JsonText.Quote(pending.Anchor!)}, which no subschema declares", true);
            }
        }
    }

    private static bool TryParseDialect(string uri, out SchemaDialect parsed)
    {
        var trimmed = uri.TrimEnd('#');
        parsed = trimmed == Draft7Uri ? SchemaDialect.Draft7 : SchemaDialect.Draft202012;
        return trimmed is Draft7Uri or Draft202012Uri;
    }

    private static string DialectName(SchemaDialect value) => value == SchemaDialect.Draft7 ? "draft-07" : "draft 2020-12";

    private void Report(SchemaDiagnosticKind kind, string path, string message, bool isError) =>
        diagnostics.Add(new SchemaDiagnostic(kind, path, message, isError));

    private void Invalid(string path, string message) => Report(SchemaDiagnosticKind.InvalidKeywordValue, path, message, true);

    private void Unsupported(string path, string message) =>
        Report(SchemaDiagnosticKind.UnsupportedKeyword, path, IsPolicy ? message : message + "; ignored", IsPolicy);

    private void Unknown(string path, string keyword)
    {
        if (!IsPolicy)
        {
            return;
        }

        var suggestion = KeywordCatalog.Suggest(keyword);
        Report(SchemaDiagnosticKind.UnknownKeyword, path,
            suggestion is null ? $"unknown keyword {JsonText.Quote(keyword)}" : $"unknown keyword {JsonText.Quote(keyword)}; did you mean \"{suggestion}\"?", true);
    }

    private void OtherDraft(string path, string keyword)
    {
        // Under the other draft the keyword means nothing; in a policy that silently drops a constraint, so it is an error.
        if (IsPolicy)
        {
            var owner = dialect == SchemaDialect.Draft7 ? "draft 2020-12" : "draft-07";
            Report(SchemaDiagnosticKind.UnknownKeyword, path,
                $"keyword {JsonText.Quote(keyword)} belongs to {owner}, not {DialectName(dialect)}; set \"$schema\" to use it", true);
        }
    }

    /// <summary>A $ref waiting for its target to be compiled and bound.</summary>
    private sealed record PendingReference(RefValidator Validator, List<string>? Segments, string? Anchor, string Path);
}
