using System.Collections.Frozen;

namespace McpWarden.Gateway.Configuration;

/// <summary>
/// The configuration the gateway runs on now, and how the last attempt to replace it went. A reload loads and
/// validates the whole file first; only a configuration without errors is swapped in, as one reference, so a
/// request sees either the old configuration or the new one, never a mix. A refused load leaves the one in force
/// untouched and is kept, with its diagnostics, for <c>/healthz</c> and the admin API.
/// </summary>
public sealed class LiveConfiguration
{
    private readonly TimeProvider _time;
    private readonly Lock _applying = new();

    // INVARIANT: replaced whole, never changed in place; readers take one reference and use only it.
    private Snapshot _snapshot;

    /// <param name="initial">The load the gateway starts with; it must have succeeded.</param>
    public LiveConfiguration(ConfigurationLoadResult initial, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(time);
        if (initial.Configuration is not { } configuration)
        {
            throw new ArgumentException("the gateway starts only on a configuration that loaded", nameof(initial));
        }

        _time = time;
        var now = time.GetUtcNow();
        _snapshot = new Snapshot(configuration, ByName(configuration), new ConfigurationStatus(1, now, now, false, initial.Diagnostics, Policies(configuration, [], now), []));
    }

    /// <summary>The configuration in force.</summary>
    public GatewayConfiguration Current => Volatile.Read(ref _snapshot).Configuration;

    /// <summary>What is in force and how the last load went.</summary>
    public ConfigurationStatus Status => Volatile.Read(ref _snapshot).Status;

    /// <summary>The server of that name as configured now; null when the configuration has none.</summary>
    public ServerDefinition? Server(string name) => Volatile.Read(ref _snapshot).ByName.GetValueOrDefault(name);

    /// <summary>
    /// Puts a freshly loaded configuration in force, or records why it was refused. Settings that only a restart
    /// can change (<c>maxMessageBytes</c>, <c>store</c>, <c>audit</c>) keep the values in force and are named in
    /// <see cref="ConfigurationChange.NotApplied"/>. A server whose upstream is unchanged keeps its upstream
    /// definition instance, so a session can tell by reference that it still reaches what is configured.
    /// </summary>
    public ConfigurationChange Apply(ConfigurationLoadResult loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        lock (_applying)
        {
            var previous = _snapshot;
            var now = _time.GetUtcNow();
            if (loaded.Configuration is not { } candidate)
            {
                var refused = previous.Status with { CheckedAt = now, Refused = true, Diagnostics = loaded.Diagnostics };
                Volatile.Write(ref _snapshot, previous with { Status = refused });
                return new ConfigurationChange(false, refused.Revision, loaded.Diagnostics, [], [], [], [], false, refused.NotApplied);
            }

            var running = previous.Configuration;
            List<string> added = [], replaced = [], updated = [];
            var servers = new List<ServerDefinition>(candidate.Servers.Count);
            foreach (var server in candidate.Servers)
            {
                if (!previous.ByName.TryGetValue(server.Name, out var before))
                {
                    added.Add(server.Name);
                    servers.Add(server);
                }
                else if (!UpstreamEquality.Same(before.Upstream, server.Upstream))
                {
                    replaced.Add(server.Name);
                    servers.Add(server);
                }
                else
                {
                    if (before.Policy.Revision != server.Policy.Revision || before.Mode != server.Mode || before.RequestTimeout != server.RequestTimeout || before.PolicySource != server.PolicySource)
                    {
                        updated.Add(server.Name);
                    }

                    servers.Add(server with { Upstream = before.Upstream });
                }
            }

            var removed = running.Servers.Where(s => !candidate.Servers.Any(c => c.Name == s.Name)).Select(s => s.Name).ToList();
            var notApplied = NotApplied(running, candidate);
            // The export runs as it started; the /metrics token is read per request, so a new one applies at once.
            var telemetry = running.Telemetry with { MetricsTokenSha256 = candidate.Telemetry.MetricsTokenSha256 };
            var configuration = candidate with { Servers = servers, Store = running.Store, MaxMessageBytes = running.MaxMessageBytes, Audit = running.Audit, Telemetry = telemetry };
            var grantsChanged = !SameGrants(running.Grants, candidate.Grants);
            var status = new ConfigurationStatus(previous.Status.Revision + 1, now, now, false, loaded.Diagnostics, Policies(configuration, previous.Status.Servers, now), notApplied);
            Volatile.Write(ref _snapshot, new Snapshot(configuration, ByName(configuration), status));
            return new ConfigurationChange(true, status.Revision, loaded.Diagnostics, added, removed, replaced, updated, grantsChanged, notApplied);
        }
    }

    private static FrozenDictionary<string, ServerDefinition> ByName(GatewayConfiguration configuration) =>
        configuration.Servers.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>Each server's policy; one whose revision did not change keeps the time it came into force.</summary>
    private static List<ServerPolicyStatus> Policies(GatewayConfiguration configuration, IReadOnlyList<ServerPolicyStatus> before, DateTimeOffset now) =>
        [.. configuration.Servers.Select(server =>
        {
            var since = before.FirstOrDefault(b => b.Name == server.Name && b.PolicyRevision == server.Policy.Revision && b.Mode == server.Mode)?.Since ?? now;
            return new ServerPolicyStatus(server.Name, server.PolicySource, server.Policy.Revision, server.Mode, since);
        })];

    private static List<string> NotApplied(GatewayConfiguration running, GatewayConfiguration candidate)
    {
        var names = new List<string>();
        if (candidate.MaxMessageBytes != running.MaxMessageBytes)
        {
            names.Add("maxMessageBytes");
        }

        if (candidate.Store != running.Store)
        {
            names.Add("store");
        }

        if (candidate.Audit.RecordArguments != running.Audit.RecordArguments || !candidate.Audit.Redactor.Terms.SequenceEqual(running.Audit.Redactor.Terms, StringComparer.Ordinal))
        {
            names.Add("audit");
        }

        if (!candidate.Telemetry.SameExport(running.Telemetry))
        {
            names.Add("telemetry");
        }

        return names;
    }

    private static bool SameGrants(IReadOnlyList<GrantDefinition> left, IReadOnlyList<GrantDefinition> right) =>
        left.Count == right.Count && left.All(a => right.Any(b =>
            a.Name == b.Name
            && a.KeySha256.AsSpan().SequenceEqual(b.KeySha256)
            && (a.Servers is null ? b.Servers is null : b.Servers is not null && a.Servers.SequenceEqual(b.Servers, StringComparer.Ordinal))));

    private sealed record Snapshot(GatewayConfiguration Configuration, FrozenDictionary<string, ServerDefinition> ByName, ConfigurationStatus Status);
}
