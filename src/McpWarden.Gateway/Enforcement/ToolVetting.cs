using System.Text.Json;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Pinning;
using McpWarden.Catalog.Scanning;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Pinning;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Telemetry;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;
using McpWarden.Policy.Naming;
using Microsoft.Extensions.Logging;

namespace McpWarden.Gateway.Enforcement;

/// <summary>The poisoning scan as vetting calls it (the real scanner, or a stand-in in tests).</summary>
public delegate IReadOnlyList<ScanFinding> ToolScan(ToolDefinition tool, ScanContext context);

/// <summary>Who saw a list being vetted: named in the audit record of a drift it reveals.</summary>
/// <param name="Session">The session's label (never its id).</param>
public readonly record struct VettingWitness(string Grant, string Session);

/// <summary>
/// Every <c>tools/list</c> answer the gateway sees passes here before anything is decided against it or shown
/// to the agent: each tool is fingerprinted and checked against its pin (when the server's <c>pin</c> is on), and
/// scanned for poisoning. A changed tool is hidden and its calls refused with <c>tool_changed</c> until a person
/// accepts it; a flagged one, when the server's <c>scan</c> is <c>hide</c>, hidden and refused with
/// <c>tool_flagged</c>. A new drift is written to the audit log once, with a readable diff. Fails closed: a pin
/// store that cannot be checked withholds every tool of the list, except that while a shared store is unreachable a
/// tool listed exactly as the store last confirmed its pin (earlier in this process) is still served.
/// </summary>
public sealed class ToolVetting
{
    private static readonly JsonElement NoArguments = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly IPinStore _pins;
    private readonly IAuditSink _audit;
    private readonly ToolScan _scan;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScanCache _scanCache = new();

    // The fingerprint the pin store last confirmed as each tool's pin, by server and tool: while a shared store is
    // unreachable, a tool listed exactly as confirmed is still served, and anything else is withheld.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Server, string Tool), string> _confirmed = new();

    /// <param name="scan">The poisoning scan; <see cref="PoisoningScanner.Scan"/> unless a test stands in.</param>
    public ToolVetting(IPinStore pins, IAuditSink audit, TimeProvider time, ILogger<ToolVetting> logger, ToolScan? scan = null)
    {
        _pins = pins;
        _audit = audit;
        _time = time;
        _logger = logger;
        _scan = scan ?? PoisoningScanner.Scan;
    }

    /// <summary>
    /// Raised with the server's name when a person accepts a changed definition through <see cref="AcceptAsync"/>:
    /// its sessions drop what they listed and tell their clients the list changed.
    /// </summary>
    public event Action<string>? Accepted;

    /// <summary>
    /// Raised with the server's name when vetting first sees a changed definition of one of its tools (whoever's
    /// list revealed it): every session of that server drops the list it decides calls against, so the next call
    /// of the changed tool meets the change and is refused, not decided against the list read before it.
    /// </summary>
    public event Action<string>? Drifted;

    /// <summary>The pins themselves, for the admin API's listing.</summary>
    public IPinStore Pins => _pins;

    /// <summary>Vets the tools of one or more <c>tools/list</c> result pages (each a <c>{"tools": [...]}</c> object).</summary>
    public Task<VettedTools> VetPagesAsync(ServerDefinition server, IEnumerable<System.Text.Json.Nodes.JsonNode?> pages, VettingWitness witness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var tools = new List<ToolDefinition>();
        foreach (var page in pages)
        {
            if (page is System.Text.Json.Nodes.JsonObject { } result && result["tools"] is System.Text.Json.Nodes.JsonArray array)
            {
                tools.AddRange(ToolDefinition.ListFrom(JsonSerializer.SerializeToElement(array, GatewayJsonContext.Default.JsonNode)));
            }
        }

        return VetAsync(server, tools, witness, cancellationToken);
    }

    /// <summary>
    /// Vets listed tools. A name listed more than once with one definition is vetted once; with different
    /// definitions it is withheld (<see cref="ToolDuplicates"/>): not pinned, since no one definition is the tool,
    /// and each definition is still scanned so the log shows what it holds.
    /// </summary>
    public async Task<VettedTools> VetAsync(ServerDefinition server, IReadOnlyList<ToolDefinition> tools, VettingWitness witness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(tools);

        // A name the gateway refuses is never callable nor shown; there is nothing to pin.
        var usable = tools.Where(t => ToolNames.Problem(t.Name) is null).ToList();
        var conflicting = ToolDuplicates.Conflicting(usable);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var listed = usable.Where(t => !conflicting.Contains(t.Name) && seen.Add(t.Name)).ToList();
        var definitions = listed.Select(ToolFingerprint.Of).ToList();

        Dictionary<string, PinCheck>? checks = null;
        Exception? storeProblem = null;
        if (server.Pinning && definitions.Count > 0)
        {
            try
            {
                checks = (await _pins.CheckAsync(server.Name, definitions, cancellationToken).ConfigureAwait(false)).ToDictionary(c => c.Tool, StringComparer.Ordinal);
                Remember(server.Name, checks.Values);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Pins, e);
                storeProblem = e;
                VettingLog.PinStoreFailed(_logger, server.Name, e.Message);
            }
        }

        var context = await ScanContextAsync(server.Name, cancellationToken).ConfigureAwait(false);
        var contextKey = ScanCache.ContextKey(context);
        var vetted = new Dictionary<string, VettedTool>(StringComparer.Ordinal);
        var drifted = false;
        for (var i = 0; i < listed.Count; i++)
        {
            var tool = listed[i];
            var definition = definitions[i];
            var check = checks is not null && checks.TryGetValue(tool.Name, out var found) ? found : null;
            var confirmedEarlier = storeProblem is Storage.StoreUnavailableException && ConfirmedEarlier(server.Name, definition);
            var pin = !server.Pinning ? PinState.Off : confirmedEarlier ? PinState.Pinned : check?.State ?? PinState.Unpinned;
            var findings = Scan(server, tool, context, contextKey);
            ToolWithheld? withheld = null;
            if (storeProblem is not null && !confirmedEarlier)
            {
                var code = storeProblem is Storage.StoreUnavailableException ? ReasonCodes.StoreUnavailable : ReasonCodes.EvaluationError;
                withheld = new ToolWithheld(code, $"the pin of {JsonText.Quote(tool.Name)} could not be checked, so the tool is withheld: {Storage.StoreUnavailableException.RefusalText(storeProblem)}");
            }
            else if (findings.Count > 0 && server.Scan == ScanAction.Hide)
            {
                withheld = new ToolWithheld(ReasonCodes.ToolFlagged, Flagged(tool.Name, findings));
            }

            if (check is { NewlyChanged: true, Pin.Changed: { } changed })
            {
                drifted = true;
                await AuditDriftAsync(server, witness, check.Pin, changed, cancellationToken).ConfigureAwait(false);
            }

            vetted[tool.Name] = new VettedTool(tool.Name, definition, pin, findings, withheld);
        }

        foreach (var name in conflicting)
        {
            var copies = usable.Where(t => t.Name == name).ToList();
            VettingLog.ConflictingDefinitions(_logger, server.Name, new Untrusted(name), ToolDuplicates.DistinctDefinitions(copies));
            var findings = copies.SelectMany(copy => Scan(server, copy, context, contextKey)).ToList();
            vetted[name] = new VettedTool(name, ToolFingerprint.Of(copies[0]), server.Pinning ? PinState.Unpinned : PinState.Off, findings, ToolDuplicates.Withheld(name));
        }

        if (drifted)
        {
            // Sessions of this server decide calls against lists read before the change: they must read it again.
            Drifted?.Invoke(server.Name);
        }

        return new VettedTools(vetted) { PinStoreFailed = storeProblem is not null };
    }

    /// <summary>Keeps what the store just said each tool's pin is; a changed tool has no confirmed definition until it is accepted.</summary>
    private void Remember(string server, IEnumerable<PinCheck> checks)
    {
        foreach (var check in checks)
        {
            if (check.State == PinState.Pinned)
            {
                _confirmed[(server, check.Tool)] = check.Pin.Pinned.Fingerprint;
            }
            else
            {
                _confirmed.TryRemove((server, check.Tool), out _);
            }
        }
    }

    /// <summary>
    /// Whether the store confirmed exactly this definition as the tool's pin earlier in this process. Used only while the
    /// store is unreachable: such a tool is what a person (or first sight) already pinned, so serving it changes nothing.
    /// </summary>
    private bool ConfirmedEarlier(string server, PinnedDefinition definition) =>
        _confirmed.TryGetValue((server, definition.Tool), out var fingerprint) && fingerprint == definition.Fingerprint;

    /// <summary>
    /// Whether <paramref name="current"/> is now the pin of its tool: a person accepted it since the
    /// list was vetted (through another process, say). Asked before a call to a changed tool is refused.
    /// </summary>
    public async Task<bool> AcceptedSinceAsync(string server, PinnedDefinition current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        try
        {
            var pins = await _pins.ListAsync(server, cancellationToken).ConfigureAwait(false);
            return pins.FirstOrDefault(p => p.Tool == current.Tool) is { } pin && pin.StateOf(current) == PinState.Pinned;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Pins, e);
            VettingLog.PinStoreFailed(_logger, server, e.Message);
            return false;
        }
    }

    /// <summary>Accepts a changed definition (the admin API's path) and tells the running sessions of that server.</summary>
    public async Task<PinAcceptance> AcceptAsync(string server, string tool, string? fingerprint, CancellationToken cancellationToken)
    {
        var result = await _pins.AcceptAsync(server, tool, fingerprint, cancellationToken).ConfigureAwait(false);
        if (result == PinAcceptance.Accepted)
        {
            VettingLog.ChangeAccepted(_logger, server, new Untrusted(tool));
            Accepted?.Invoke(server);
        }

        return result;
    }

    /// <summary>The drift's audit record: a refusal of the tool (its calls are refused from now on), with the diff.</summary>
    public static string DriftMessage(string server, PinRecord pin, PinnedDefinition changed)
    {
        ArgumentNullException.ThrowIfNull(pin);
        ArgumentNullException.ThrowIfNull(changed);
        var diff = DefinitionDiff.Between(pin.Pinned, changed);
        return $"the definition of {JsonText.Quote(pin.Tool)} changed since it was pinned ({ToolFingerprint.Abbreviate(pin.Pinned.Fingerprint)} → {ToolFingerprint.Abbreviate(changed.Fingerprint)}); "
            + $"it is hidden and its calls refused until a person accepts it (mcpwarden pins accept {server}/{pin.Tool}): {diff.Describe()}";
    }

    private async Task AuditDriftAsync(ServerDefinition server, VettingWitness witness, PinRecord pin, PinnedDefinition changed, CancellationToken cancellationToken)
    {
        var message = DriftMessage(server.Name, pin, changed);
        VettingLog.Drift(_logger, server.Name, new Untrusted(pin.Tool), message);
        try
        {
            await _audit.AppendAsync(new AuditRecord
            {
                Time = _time.GetUtcNow(),
                Grant = witness.Grant,
                Session = witness.Session,
                Server = server.Name,
                Tool = pin.Tool,
                Decision = AuditDecisions.Deny,
                Code = ReasonCodes.ToolChanged,
                RulePath = string.Empty,
                Message = message,
                ArgumentsSha256 = CanonicalJson.Sha256(NoArguments),
                PolicyRevision = server.Policy.Revision,
                Evaluation = TimeSpan.Zero,
                Mode = server.Mode == EnforcementMode.Observe ? "observe" : "enforce",
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The tool stays hidden either way; the log line above still holds the diff.
            GatewayMetrics.AuditFailures.Add(1);
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Audit, e);
            VettingLog.DriftNotAudited(_logger, server.Name, new Untrusted(pin.Tool), e.Message);
        }
    }

    /// <summary>For shadowing: every tool the pin store knows of the other servers (those this store's gateways have listed).</summary>
    private async Task<ScanContext> ScanContextAsync(string server, CancellationToken cancellationToken)
    {
        try
        {
            var pins = await _pins.ListNamesAsync(cancellationToken).ConfigureAwait(false);
            var others = pins.Where(p => p.Server != server)
                .GroupBy(p => p.Server, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)[.. g.Select(p => p.Tool)], StringComparer.Ordinal);
            return new ScanContext(server, others);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Pins, e);
            return ScanContext.Alone(server);
        }
    }

    /// <summary>
    /// Scans one definition (or finds its findings in the cache) and logs what it found. A scan that fails counts
    /// as a finding (fail closed) and is not cached: the next list scans again.
    /// </summary>
    private IReadOnlyList<ScanFinding> Scan(ServerDefinition server, ToolDefinition tool, ScanContext context, string contextKey)
    {
        var key = ScanCache.Key(tool, contextKey);
        if (!_scanCache.TryGet(key, out var findings))
        {
            try
            {
                findings = _scan(tool, context);
                _scanCache.Add(key, findings);
            }
#pragma warning disable CA1031 // Fail closed: a definition the scan cannot read is treated as flagged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                VettingLog.ScanFailed(_logger, server.Name, new Untrusted(tool.Name), e.Message);
                findings = [new ScanFinding("scan_failed", string.Empty, string.Empty, $"the poisoning scan could not read the definition: {e.Message}")];
            }
        }

        foreach (var finding in findings)
        {
            VettingLog.Finding(_logger, server.Name, new Untrusted(tool.Name), finding.Kind, finding.Path, finding.Message, server.Scan == ScanAction.Hide ? "hidden" : "listed (scan: warn)");
        }

        return findings;
    }

    private static string Flagged(string tool, IReadOnlyList<ScanFinding> findings)
    {
        var first = findings[0];
        var more = findings.Count > 1 ? $" (and {findings.Count - 1} more)" : string.Empty;
        return $"the poisoning scan flagged the definition of {JsonText.Quote(tool)} at {(first.Path.Length == 0 ? "/" : first.Path)}: {first.Message}{more}; the tool is hidden while the server's \"scan\" is \"hide\"";
    }
}
