using System.Globalization;
using McpWarden.Catalog.Pinning;
using McpWarden.Gateway.Pinning;
using StackExchange.Redis;

namespace McpWarden.Storage.Redis.Pinning;

/// <summary>
/// Pins that replicas share through Redis: one hash per server (<see cref="PinScripts"/>). A check is one Lua script
/// over the server's hash, so of several replicas listing a server at once one pins a first-seen tool and the
/// others compare against that pin, and a new changed definition is reported
/// (<see cref="PinCheck.NewlyChanged"/>) by exactly one of them; the change then waits for a person, as in the
/// other stores. See <c>docs/storage.md</c>.
/// </summary>
public sealed class RedisPinStore : IPinStore
{
    private const string Pinned = "f";
    private const string PinnedDefinition = "d";
    private const string PinnedAt = "t";
    private const string AcceptedAt = "a";
    private const string Changed = "cf";
    private const string ChangedDefinition = "cd";
    private const string ChangedAt = "ct";

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly RedisKey _servers;

    internal RedisPinStore(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        _servers = connection.Key("pins");
    }

    public async Task<IReadOnlyList<PinCheck>> CheckAsync(string server, IReadOnlyList<PinnedDefinition> listed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(listed);
        cancellationToken.ThrowIfCancellationRequested();
        if (listed.Count == 0)
        {
            return [];
        }

        var arguments = new RedisValue[2 + (3 * listed.Count)];
        arguments[0] = server;
        arguments[1] = Ticks(_time.GetUtcNow());
        for (var i = 0; i < listed.Count; i++)
        {
            arguments[2 + (3 * i)] = listed[i].Tool;
            arguments[3 + (3 * i)] = listed[i].Fingerprint;
            arguments[4 + (3 * i)] = listed[i].Definition;
        }

        var answers = (RedisResult[])(await _connection.RunAsync(db => PinScripts.Check.EvaluateAsync(db, [ServerKey(server), _servers], arguments)).ConfigureAwait(false))!;
        var checks = new List<PinCheck>(listed.Count);
        for (var i = 0; i < listed.Count; i++)
        {
            var answer = (RedisResult[])answers[i]!;
            var tool = listed[i].Tool;
            var pin = ReadPin(server, tool, Text(answer[1]), Text(answer[2]), Text(answer[3]), Text(answer[4]), Text(answer[5]), Text(answer[6]), Text(answer[7]));
            checks.Add(new PinCheck(tool, pin.StateOf(listed[i]), pin, NewlyChanged: (long)answer[0] == 1));
        }

        return checks;
    }

    public async Task<IReadOnlyList<PinRecord>> ListAsync(string? server, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var servers = await ServersAsync(server).ConfigureAwait(false);
        var hashes = await _connection.RunAsync(async db =>
        {
            var reads = servers.Select(name => db.HashGetAllAsync(ServerKey(name))).ToList();
            return await Task.WhenAll(reads).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var pins = new List<PinRecord>();
        for (var i = 0; i < servers.Count; i++)
        {
            var byTool = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var entry in hashes[i])
            {
                var (kind, tool) = Split(entry.Name.ToString());
                if (!byTool.TryGetValue(tool, out var fields))
                {
                    byTool[tool] = fields = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                fields[kind] = entry.Value.ToString();
            }

            foreach (var (tool, fields) in byTool)
            {
                pins.Add(ReadPin(
                    servers[i],
                    tool,
                    fields.GetValueOrDefault(Pinned),
                    fields.GetValueOrDefault(PinnedDefinition),
                    fields.GetValueOrDefault(PinnedAt),
                    fields.GetValueOrDefault(AcceptedAt),
                    fields.GetValueOrDefault(Changed),
                    fields.GetValueOrDefault(ChangedDefinition),
                    fields.GetValueOrDefault(ChangedAt)));
            }
        }

        return [.. pins.OrderBy(p => p.Server, StringComparer.Ordinal).ThenBy(p => p.Tool, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<PinName>> ListNamesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var servers = await ServersAsync(null).ConfigureAwait(false);
        // The field names alone: the definitions, the bulk of a pin, stay in Redis.
        var fieldNames = await _connection.RunAsync(async db =>
        {
            var reads = servers.Select(name => db.HashKeysAsync(ServerKey(name))).ToList();
            return await Task.WhenAll(reads).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var names = new List<PinName>();
        for (var i = 0; i < servers.Count; i++)
        {
            foreach (var field in fieldNames[i])
            {
                var (kind, tool) = Split(field.ToString());
                if (kind == Pinned)
                {
                    names.Add(new PinName(servers[i], tool));
                }
            }
        }

        return [.. names.OrderBy(p => p.Server, StringComparer.Ordinal).ThenBy(p => p.Tool, StringComparer.Ordinal)];
    }

    public async Task<PinAcceptance> AcceptAsync(string server, string tool, string? fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(tool);
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] arguments = [tool, fingerprint is null ? "0" : "1", fingerprint ?? string.Empty, Ticks(_time.GetUtcNow())];
        var outcome = (string)(await _connection.RunAsync(db => PinScripts.Accept.EvaluateAsync(db, [ServerKey(server)], arguments)).ConfigureAwait(false))!;
        return outcome switch
        {
            "accepted" => PinAcceptance.Accepted,
            "unknown" => PinAcceptance.UnknownTool,
            "nothing" => PinAcceptance.NothingToAccept,
            "mismatch" => PinAcceptance.FingerprintMismatch,
            _ => throw new InvalidDataException($"the pin store's accept script answered '{outcome}'"),
        };
    }

    /// <summary>The servers with pins, or just <paramref name="server"/>.</summary>
    private async Task<List<string>> ServersAsync(string? server)
    {
        if (server is not null)
        {
            return [server];
        }

        var members = await _connection.RunAsync(db => db.SetMembersAsync(_servers)).ConfigureAwait(false);
        return [.. members.Select(m => m.ToString())];
    }

    private RedisKey ServerKey(string server) => _connection.Key("pin:" + server);

    private static (string Kind, string Tool) Split(string field)
    {
        var colon = field.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? throw new InvalidDataException($"a pin hash in Redis has the field '{field}', which names no tool")
            : (field[..colon], field[(colon + 1)..]);
    }

    private static PinRecord ReadPin(string server, string tool, string? fingerprint, string? definition, string? pinnedAt, string? acceptedAt, string? changed, string? changedDefinition, string? changedAt)
    {
        if (fingerprint is null || definition is null || pinnedAt is null)
        {
            throw new InvalidDataException($"the pin of {server}/{tool} in Redis lacks its pinned definition");
        }

        return new PinRecord(
            server,
            tool,
            new PinnedDefinition(tool, fingerprint, definition),
            Instant(pinnedAt),
            acceptedAt is null ? null : Instant(acceptedAt),
            changed is not null && changedDefinition is not null ? new PinnedDefinition(tool, changed, changedDefinition) : null,
            changed is not null && changedAt is not null ? Instant(changedAt) : null);
    }

    private static string? Text(RedisResult result) => result.IsNull ? null : (string)result;

    private static string Ticks(DateTimeOffset instant) => instant.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(string ticks) => new(long.Parse(ticks, NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);
}
