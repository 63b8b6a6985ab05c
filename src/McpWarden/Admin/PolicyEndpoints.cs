using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Recommendation;
using McpWarden.Gateway;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Inventory;
using McpWarden.Policy;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using McpWarden.Reload;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static McpWarden.Admin.AdminAnswers;

namespace McpWarden.Admin;

/// <summary>
/// The policy editor's endpoints: <c>GET /api/policies/{server}/document</c> (a server's policy file as it is on
/// disk), <c>POST /api/policies/check</c> (what <c>mcpwarden check</c> says of a policy text),
/// <c>PUT /api/policies/{server}/document</c> (save, then reload at once and answer only when the new policy is in
/// force, or say why it is not) and <c>GET /api/recommendation/{server}</c> (the recommended policy from the
/// server's live tools). Only the file the configuration names for that server is ever written.
/// </summary>
#pragma warning disable CA1001 // The semaphore lives as long as the process and never hands out a wait handle: nothing to dispose.
internal sealed class PolicyEndpoints
#pragma warning restore CA1001
{
    /// <summary>The largest policy text accepted: a policy of 10,000 rules is about one MiB.</summary>
    public const int MaxPolicyBytes = 2 * 1024 * 1024;

    /// <summary>The source name of a text checked without a server (what the diagnostics' file column would say).</summary>
    private const string EditorSource = "(editor)";

    private readonly LiveConfiguration _live;
    private readonly InventoryProbeCache _probes;
    private readonly Func<Task<ReloadOutcome>>? _reload;

    // One save at a time: the If-Match comparison, the write and the reload that proves it are one step.
    private readonly SemaphoreSlim _saving = new(1, 1);

    /// <param name="reload">Loads the configuration now and says what became of it; without it, saving is refused.</param>
    /// <param name="probes">The inventory's kept probes: a recommendation lists the server as the inventory does.</param>
    public PolicyEndpoints(LiveConfiguration live, InventoryProbeCache probes, Func<Task<ReloadOutcome>>? reload) =>
        (_live, _probes, _reload) = (live, probes, reload);

    /// <summary>Adds the endpoints to the admin group (which has already checked the origin and the token).</summary>
    public void Map(RouteGroupBuilder api)
    {
        api.MapGet("/policies/{server}/document", (HttpContext context, string server) => GetDocument(context, server));
        api.MapPost("/policies/check", (Func<HttpContext, Task<IResult>>)CheckAsync);
        api.MapPut("/policies/{server}/document", (HttpContext context, string server) => SaveAsync(context, server));
        api.MapGet("/recommendation/{server}", (HttpContext context, string server) => RecommendAsync(context, server));
    }

    private IResult GetDocument(HttpContext context, string name)
    {
        if (_live.Server(name) is not { } server)
        {
            return UnknownServer(name);
        }

        if (server.PolicyFile is not { } file)
        {
            return Json(NotAFile(server));
        }

        var display = DisplayPath.Of(file);
        byte[] bytes;
        try
        {
            bytes = ReadBounded(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Error(StatusCodes.Status500InternalServerError, $"cannot read the policy file {display}: {e.Message}");
        }

        using var document = SourceDocument.Parse(display, bytes);
        var loaded = PolicyLoader.Load(document);
        context.Response.Headers.ETag = Quoted(ETagOf(bytes));
        return Json(new JsonObject
        {
            ["server"] = name,
            ["source"] = "file",
            ["path"] = display,
            ["editable"] = true,
            ["etag"] = ETagOf(bytes),
            ["text"] = Encoding.UTF8.GetString(bytes),
            ["policy"] = ParsedOrNull(document, bytes),
            ["diagnostics"] = DiagnosticsJson(loaded.Diagnostics),
        });
    }

    /// <summary>An inline or default policy: shown, never written (the configuration file is not the editor's to rewrite).</summary>
    private JsonObject NotAFile(ServerDefinition server)
    {
        var configuration = _live.Current.Path;
        var display = DisplayPath.Of(configuration);
        if (server.PolicySource == "(default policy)")
        {
            return new JsonObject
            {
                ["server"] = server.Name,
                ["source"] = "default",
                ["path"] = display,
                ["editable"] = false,
                ["reason"] = $"{server.Name} has no \"policy\" in {display}, so every call to it is denied; give its entry \"policy\": \"policies/{server.Name}.json\" (a file of its own) to edit its policy here",
                ["etag"] = null,
                ["text"] = null,
                ["policy"] = null,
                ["diagnostics"] = new JsonArray(),
            };
        }

        var inline = InlinePolicy(configuration, server.PolicySource);
        return new JsonObject
        {
            ["server"] = server.Name,
            ["source"] = "inline",
            ["path"] = $"{display}#{server.PolicySource}",
            ["editable"] = false,
            ["reason"] = $"the policy of {server.Name} is written inline in {display} at {server.PolicySource}; move it to a file of its own and name that file there (\"policy\": \"policies/{server.Name}.json\") to edit it here",
            ["etag"] = null,
            ["text"] = inline?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            ["policy"] = inline,
            ["diagnostics"] = new JsonArray(),
        };
    }

    /// <summary>The inline policy as the configuration file has it now, for display; null when it cannot be read.</summary>
    private static JsonNode? InlinePolicy(string configuration, string pointer)
    {
        try
        {
            using var document = SourceDocument.Load(configuration);
            if (document.Root is not { } root || document.Diagnostics.Any(d => d.IsError))
            {
                return null;
            }

            var node = JsonNode.Parse(root.GetRawText());
            foreach (var token in pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)))
            {
                node = node is JsonObject member && member.TryGetPropertyValue(token, out var next) ? next : null;
            }

            return node?.DeepClone();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<IResult> CheckAsync(HttpContext context)
    {
        var (body, problem, status) = await ReadPolicyTextAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return Error(status, problem!);
        }

        var diagnostics = Check(EditorSource, body).Diagnostics;
        return Json(new JsonObject
        {
            ["valid"] = !diagnostics.Any(d => d.IsError),
            ["diagnostics"] = DiagnosticsJson(diagnostics),
        });
    }

    private async Task<IResult> SaveAsync(HttpContext context, string name)
    {
        if (_live.Server(name) is not { } server)
        {
            return UnknownServer(name);
        }

        if (server.PolicyFile is not { } file)
        {
            return Error(StatusCodes.Status409Conflict, NotAFile(server)["reason"]!.GetValue<string>());
        }

        if (_reload is null)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "this gateway cannot reload its configuration, so it does not save policies");
        }

        // Required: a save without it would silently overwrite whatever changed the file since the editor read it.
        if (ExpectedETag(context.Request.Headers.IfMatch.ToString()) is not { } expected)
        {
            return Error(StatusCodes.Status428PreconditionRequired, "a save must carry If-Match: \"ETAG\" with the etag of the document it edits (GET /api/policies/{server}/document gives it)");
        }

        var (body, problem, status) = await ReadPolicyTextAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return Error(status, problem!);
        }

        var display = DisplayPath.Of(file);
        var candidate = Check(display, body);
        if (candidate.Policy is null)
        {
            return Json(new JsonObject
            {
                ["error"] = $"the policy has {candidate.Diagnostics.Count(d => d.IsError)} error(s); nothing was saved",
                ["diagnostics"] = DiagnosticsJson(candidate.Diagnostics),
            }, StatusCodes.Status422UnprocessableEntity);
        }

        await _saving.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            string current;
            try
            {
                current = File.Exists(file) ? ETagOf(ReadBounded(file)) : string.Empty;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                return Error(StatusCodes.Status500InternalServerError, $"cannot read the policy file {display}: {e.Message}");
            }

            if (!string.Equals(current, expected, StringComparison.Ordinal))
            {
                context.Response.Headers.ETag = Quoted(current);
                return Json(new JsonObject
                {
                    ["error"] = $"{display} changed since the editor opened it (its etag is now {current}); open it again and redo the edit",
                    ["etag"] = current,
                }, StatusCodes.Status412PreconditionFailed);
            }

            try
            {
                AtomicFile.Replace(file, body);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Error(StatusCodes.Status500InternalServerError, $"cannot write the policy file {display}: {e.Message}; the file is unchanged");
            }

            var saved = ETagOf(body);
            context.Response.Headers.ETag = Quoted(saved);
            var outcome = await _reload().ConfigureAwait(false);
            return Applied(name, file, saved, candidate, outcome);
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>What the reload made of the saved file: in force (200), or saved but not in force (409, 500) and why.</summary>
    private IResult Applied(string name, string file, string etag, PolicyLoadResult candidate, ReloadOutcome outcome)
    {
        if (outcome.Change is { Accepted: false } refused)
        {
            return Json(new JsonObject
            {
                ["error"] = $"the policy was saved, but the gateway refused to reload its configuration ({refused.Diagnostics.Count(d => d.IsError)} error(s) elsewhere in it), so the previous policy of {name} is still in force; fix them and the gateway reloads",
                ["server"] = name,
                ["etag"] = etag,
                ["status"] = "refused",
                ["diagnostics"] = DiagnosticsJson(refused.Diagnostics),
            }, StatusCodes.Status409Conflict);
        }

        if (outcome.Failure is { } failure)
        {
            return Json(new JsonObject
            {
                ["error"] = $"the policy was saved, but the reload failed ({failure}); the previous policy of {name} stays in force until the next reload succeeds",
                ["server"] = name,
                ["etag"] = etag,
                ["status"] = "failed",
                ["diagnostics"] = new JsonArray(),
            }, StatusCodes.Status500InternalServerError);
        }

        var inForce = _live.Server(name);
        var revision = candidate.Policy!.Revision;
        if (inForce is null || inForce.PolicyFile != file || inForce.Policy.Revision != revision)
        {
            // The configuration changed under the save (the server was removed, or its policy moved elsewhere, or
            // the file was written again meanwhile): what is in force is not what was saved.
            return Json(new JsonObject
            {
                ["error"] = $"the policy was saved, but the policy in force for {name} is not the one saved (the configuration or the file changed meanwhile); open it again",
                ["server"] = name,
                ["etag"] = etag,
                ["status"] = "superseded",
                ["diagnostics"] = new JsonArray(),
            }, StatusCodes.Status409Conflict);
        }

        return Json(new JsonObject
        {
            ["server"] = name,
            ["etag"] = etag,
            ["revision"] = revision,
            ["status"] = "applied",
            ["configRevision"] = _live.Status.Revision,
            ["diagnostics"] = DiagnosticsJson(candidate.Diagnostics),
        });
    }

    private async Task<IResult> RecommendAsync(HttpContext context, string name)
    {
        if (_live.Server(name) is not { } server)
        {
            return UnknownServer(name);
        }

        var probed = (await _probes.GetAsync([server], refresh: false, context.RequestAborted).ConfigureAwait(false))[0].Probe;
        if (probed.Error is { } error || probed.Context is not { } serverContext)
        {
            return Error(StatusCodes.Status502BadGateway, $"cannot list the tools of {name}: {probed.Error ?? "it did not complete the handshake"}");
        }

        var tools = InventoryAssembler.ToolsOf(probed.Pages)
            .Select(tool => new ClassifiedTool(tool, RiskClassifier.Classify(tool, serverContext)))
            .ToList();
        var recommendation = PolicyRecommender.RecommendDetailed(serverContext, tools);

        // Fail closed: a recommendation that would not load is never offered to be saved.
        var loaded = PolicyLoader.LoadText($"recommendation for {name}", recommendation.Json);
        if (!loaded.Succeeded)
        {
            return Json(new JsonObject
            {
                ["error"] = $"the policy recommended for {name} does not load",
                ["diagnostics"] = DiagnosticsJson(loaded.Diagnostics),
            }, StatusCodes.Status500InternalServerError);
        }

        return Json(new JsonObject
        {
            ["server"] = name,
            ["text"] = recommendation.Json,
            ["policy"] = JsonNode.Parse(recommendation.Json),
            ["truncated"] = probed.Truncated,
            // What the builder needs of each tool: its argument schema to offer constraints, its classification to show.
            ["tools"] = new JsonArray([.. tools.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Tool.Name,
                ["title"] = t.Tool.Title,
                ["description"] = t.Tool.Description,
                ["category"] = CatalogNames.Of(t.Classification.Category),
                ["risk"] = CatalogNames.Of(t.Classification.Risk),
                ["inputSchema"] = t.Tool.InputSchema is { } schema ? JsonNode.Parse(schema.GetRawText()) : null,
            })]),
            ["leftToDefault"] = new JsonArray([.. recommendation.LeftToDefault.Select(l => (JsonNode)new JsonObject { ["tool"] = l.Tool, ["reason"] = l.Reason })]),
        });
    }

    /// <summary>Exactly what <c>mcpwarden check</c> reports of a policy text: parse, validate, compile.</summary>
    private static PolicyLoadResult Check(string source, byte[] text)
    {
        using var document = SourceDocument.Parse(source, text);
        return PolicyLoader.Load(document);
    }

    /// <summary>The document as JSON, or null when it does not parse (or parses only with syntax errors such as a duplicate key).</summary>
    private static JsonNode? ParsedOrNull(SourceDocument document, byte[] bytes)
    {
        if (document.Root is null || document.Diagnostics.Any(d => d.IsError))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? bytes.AsSpan(Encoding.UTF8.Preamble.Length) : bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static JsonArray DiagnosticsJson(IEnumerable<Diagnostic> diagnostics) =>
        new([.. diagnostics.Select(d => (JsonNode)new JsonObject
        {
            ["code"] = d.Code,
            ["severity"] = d.IsError ? "error" : "warning",
            ["path"] = d.Path,
            ["line"] = d.Position.Line,
            ["column"] = d.Position.Column,
            ["message"] = d.Message,
        })]);

    /// <summary>The etag an <c>If-Match</c> names (one quoted or bare lower-case SHA-256 hex); null when it names none.</summary>
    private static string? ExpectedETag(string header)
    {
        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            // A weak etag promises less than byte equality, which is what a save must be sure of.
            return null;
        }

        value = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
        return value.Length == 64 && value.All(char.IsAsciiHexDigit) ? value.ToLowerInvariant() : null;
    }

    private static string ETagOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Quoted(string etag) => $"\"{etag}\"";

    /// <summary>A policy file's bytes; past <see cref="MaxPolicyBytes"/> it is not the editor's to open.</summary>
    private static byte[] ReadBounded(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > MaxPolicyBytes)
            {
                throw new InvalidDataException($"the file is larger than {MaxPolicyBytes / 1024 / 1024} MiB, the most the editor opens");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The request body, at most <see cref="MaxPolicyBytes"/>; null with a problem and a status otherwise.</summary>
    private static async Task<(byte[]? Body, string? Problem, int Status)> ReadPolicyTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var tooLarge = $"the policy is larger than {MaxPolicyBytes / 1024 / 1024} MiB";
        if (request.ContentLength > MaxPolicyBytes)
        {
            return (null, tooLarge, StatusCodes.Status413PayloadTooLarge);
        }

        return await ReadBodyAsync(request, MaxPolicyBytes, cancellationToken).ConfigureAwait(false) is { } body
            ? (body, null, StatusCodes.Status200OK)
            : (null, tooLarge, StatusCodes.Status413PayloadTooLarge);
    }

    private static IResult UnknownServer(string name) =>
        Error(StatusCodes.Status404NotFound, $"the configuration has no server {JsonSerializer.Serialize(name)}");
}
