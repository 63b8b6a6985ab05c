using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpWarden.Policy.Schema.Keywords;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema;

/// <summary>The state of one compilation: walks the schema once, collects every diagnostic, then binds $refs within the document.</summary>
internal sealed partial class SchemaCompilerSession(JsonElement root, SchemaCompileOptions options)
{
    private const string Draft7Uri = "http://json-schema.org/draft-07/schema";
    private const string Draft202012Uri = "https://json-schema.org/draft/2020-12/schema";

    // Relative $id and $ref values need an absolute base even when the root declares none; this one can never be fetched.
    private static readonly Uri DefaultBaseUri = new("https://mcpwarden.invalid/schema.json");

    private readonly List<SchemaDiagnostic> diagnostics = [];
    private readonly Dictionary<string, SchemaNode> nodes = new(StringComparer.Ordinal);
    private readonly Queue<PendingReference> pendingReferences = new();
    private readonly Dictionary<string, string> anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> resources = new(StringComparer.Ordinal);
    private readonly TimeSpan regexTimeout = options.RegexTimeout ?? SchemaCompileOptions.DefaultRegexTimeout;
    private SchemaDialect dialect = options.DefaultDialect;
    private Uri rootBaseUri = DefaultBaseUri;

    private bool IsPolicy => options.Strictness == SchemaStrictness.Policy;

    public SchemaCompilation Compile()
    {
        SchemaNode rootNode;
        try
        {
            ReadRootIdentity();
            resources[ResourceKey(rootBaseUri)] = string.Empty;
            rootNode = CompileSchema(root, string.Empty, string.Empty, rootBaseUri);
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
            && !id.GetString()!.StartsWith('#') && Uri.TryCreate(DefaultBaseUri, id.GetString(), out var declaredBase))
        {
            rootBaseUri = declaredBase;
        }
    }

    private SchemaNode CompileSchema(JsonElement schema, string path, string ownerKeyword, Uri baseUri)
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
            AddReference(validators, draft7Reference, JsonPointer.Append(path, "$ref"), baseUri);
            ReportIgnoredDraft7RefSiblings(schema, path);
            node.Initialize([.. validators]);
            return node;
        }

        if (path.Length > 0 && schema.TryGetProperty("$id", out var id))
        {
            baseUri = EnterResource(id, JsonPointer.Append(path, "$id"), path, baseUri);
        }

        new KeywordCompiler(this, schema, path, node, baseUri, validators).Run();
        node.Initialize([.. validators]);
        return node;
    }

    /// <summary>Under Policy, a constraint beside a draft-07 $ref would be silently dropped, so it is an error there.</summary>
    private void ReportIgnoredDraft7RefSiblings(JsonElement schema, string path)
    {
        if (!IsPolicy)
        {
            return;
        }

        foreach (var member in schema.EnumerateObject())
        {
            if (member.Name is not ("$ref" or "$id" or "$schema" or "$comment" or "definitions" or "$defs")
                && Array.IndexOf(AnnotationKeywords, member.Name) < 0)
            {
                Invalid(JsonPointer.Append(path, member.Name),
                    $"keyword {JsonText.Quote(member.Name)} beside \"$ref\" is ignored in draft-07; put both in an \"allOf\" to apply them");
            }
        }
    }

    private SchemaNode[]? CompileSchemaArray(JsonElement value, string path, string keyword, Uri baseUri, bool allowEmpty = false)
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
            result[index] = CompileSchema(item, JsonPointer.Append(path, index), keyword, baseUri);
            index++;
        }

        return result;
    }

    private (string[] Names, SchemaNode[] Nodes)? CompileSchemaMap(JsonElement value, string path, string keyword, Uri baseUri)
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
            compiled.Add(CompileSchema(member.Value, JsonPointer.Append(path, member.Name), keyword, baseUri));
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

    /// <summary>
    /// Handles a subschema's <c>$id</c>: a draft-07 <c>#name</c> is an anchor; anything else starts an embedded resource
    /// whose URI becomes the base for the $refs inside it. Returns the base URI for the subschema's keywords.
    /// </summary>
    private Uri EnterResource(JsonElement id, string idPath, string path, Uri baseUri)
    {
        if (id.ValueKind != JsonValueKind.String)
        {
            Invalid(idPath, $"\"$id\" must be a string, got {JsonText.Describe(id)}");
            return baseUri;
        }

        var value = id.GetString()!;
        var hash = value.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash < 0 ? string.Empty : value[(hash + 1)..];
        if (dialect == SchemaDialect.Draft202012 && fragment.Length > 0)
        {
            Invalid(idPath, $"\"$id\" {JsonText.Quote(value)} must not have a fragment in draft 2020-12 (use \"$anchor\")");
            return baseUri;
        }

        if (hash == 0)
        {
            // Draft-07 spells an anchor "$id": "#name"; it names a location without starting a new resource.
            if (fragment.Length > 0)
            {
                RegisterAnchor(baseUri, fragment, idPath, path);
            }

            return baseUri;
        }

        if (!Uri.TryCreate(baseUri, hash < 0 ? value : value[..hash], out var resourceUri))
        {
            Invalid(idPath, $"\"$id\" {JsonText.Quote(value)} is not a valid URI reference");
            return baseUri;
        }

        if (!resources.TryAdd(ResourceKey(resourceUri), path) && resources[ResourceKey(resourceUri)] != path)
        {
            Invalid(idPath, $"\"$id\" {JsonText.Quote(value)} identifies another subschema too, at {JsonText.Quote(resources[ResourceKey(resourceUri)])}");
        }

        if (fragment.Length > 0)
        {
            RegisterAnchor(resourceUri, fragment, idPath, path);
        }

        return resourceUri;
    }

    private void AddReference(List<KeywordValidator> validators, JsonElement value, string path, Uri baseUri)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Invalid(path, $"\"$ref\" must be a string, got {JsonText.Describe(value)}");
            return;
        }

        var reference = value.GetString()!;
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var target = baseUri;
        if (hash != 0 && !Uri.TryCreate(baseUri, hash < 0 ? reference : reference[..hash], out target))
        {
            Invalid(path, $"\"$ref\" {JsonText.Quote(reference)} is not a valid URI reference");
            return;
        }

        // The fragment is taken from the text, not from System.Uri, which would re-escape some characters of it.
        var fragment = Uri.UnescapeDataString(hash < 0 ? string.Empty : reference[(hash + 1)..]);
        var validator = new RefValidator(path, reference);
        string[]? segments = null;
        if ((fragment.Length == 0 || fragment[0] == '/') && !JsonPointer.TryParse(fragment, out segments))
        {
            Report(SchemaDiagnosticKind.UnresolvedReference, path, $"\"$ref\" {JsonText.Quote(reference)} is not a valid JSON Pointer", true);
            return;
        }

        validators.Add(validator);
        pendingReferences.Enqueue(new PendingReference(validator, ResourceKey(target!), segments, segments is null ? fragment : null, path));
    }

    /// <summary>Records a location-independent identifier: 2020-12 <c>$anchor</c> or a draft-07 <c>$id</c> of the form <c>#name</c>.</summary>
    private void RegisterAnchor(Uri baseUri, string name, string keywordPath, string schemaPath)
    {
        var key = ResourceKey(baseUri) + "#" + name;
        if (!IsAnchorName(name))
        {
            Invalid(keywordPath, $"anchor {JsonText.Quote(name)} must start with a letter or \"_\" and contain only letters, digits, \"-\", \"_\", \".\"");
        }
        else if (!anchors.TryAdd(key, schemaPath) && anchors[key] != schemaPath)
        {
            Invalid(keywordPath, $"anchor {JsonText.Quote(name)} is already declared at {JsonText.Quote(anchors[key])}");
        }
    }

    private static bool IsAnchorName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The identity of a schema resource: its absolute URI without a fragment.</summary>
    private static string ResourceKey(Uri uri)
    {
        var text = uri.AbsoluteUri;
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? text : text[..hash];
    }

    private void BindReferences()
    {
        // Binding can compile new targets (a pointer into an ignored or unknown keyword), which can queue more references;
        // anchors are looked up only once every pointer target (and so every anchor they declare) has been compiled.
        var anchorReferences = new List<PendingReference>();
        while (pendingReferences.TryDequeue(out var pending))
        {
            if (!resources.TryGetValue(pending.Resource, out var resourcePath))
            {
                Unsupported(pending.Path, $"\"$ref\" {JsonText.Quote(pending.Validator.Reference)} refers to a schema outside this document; remote schemas are never fetched");
                continue;
            }

            if (pending.Segments is null)
            {
                anchorReferences.Add(pending);
                continue;
            }

            BindPointer(pending, resourcePath);
        }

        foreach (var pending in anchorReferences)
        {
            if (anchors.TryGetValue(pending.Resource + "#" + pending.Anchor, out var anchorPath))
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

    private void BindPointer(PendingReference pending, string resourcePath)
    {
        var current = root;
        var resourceSegments = JsonPointer.TryParse(resourcePath, out var parsed) ? parsed : [];
        var path = string.Empty;
        var baseUri = rootBaseUri;
        foreach (var segment in resourceSegments.Concat(pending.Segments!))
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
                Report(SchemaDiagnosticKind.UnresolvedReference, pending.Path,
                    $"\"$ref\" {JsonText.Quote(pending.Validator.Reference)} does not point at anything in this schema", true);
                return;
            }

            path = JsonPointer.Append(path, segment);

            // A target compiled only now (inside an unknown keyword) still resolves its own $refs against the nearest $id.
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String
                && !id.GetString()!.StartsWith('#') && Uri.TryCreate(baseUri, id.GetString()!.Split('#')[0], out var nested))
            {
                baseUri = nested;
            }
        }

        pending.Validator.Bind(CompileSchema(current, path, "$ref", baseUri));
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
    private sealed record PendingReference(RefValidator Validator, string Resource, string[]? Segments, string? Anchor, string Path);
}
