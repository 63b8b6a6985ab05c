using McpWarden.Catalog.Pinning;

namespace McpWarden.Gateway.Pinning;

/// <summary>Pins in process memory, for tests and <c>--ephemeral</c>: forgotten when the process ends.</summary>
public sealed class InMemoryPinStore : IPinStore
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<(string Server, string Tool), PinRecord> _pins = new(PinKeyComparer.Instance);

    public InMemoryPinStore(TimeProvider time) => _time = time;

    public Task<IReadOnlyList<PinCheck>> CheckAsync(string server, IReadOnlyList<PinnedDefinition> listed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(listed);
        var now = _time.GetUtcNow();
        var checks = new List<PinCheck>(listed.Count);
        lock (_lock)
        {
            foreach (var definition in listed)
            {
                var key = (server, definition.Tool);
                if (!_pins.TryGetValue(key, out var pin))
                {
                    pin = new PinRecord(server, definition.Tool, definition, now, null, null, null);
                    _pins[key] = pin;
                    checks.Add(new PinCheck(definition.Tool, PinState.Pinned, pin, NewlyChanged: false));
                    continue;
                }

                if (pin.StateOf(definition) == PinState.Pinned)
                {
                    checks.Add(new PinCheck(definition.Tool, PinState.Pinned, pin, NewlyChanged: false));
                    continue;
                }

                var newlyChanged = pin.Changed?.Fingerprint != definition.Fingerprint;
                if (newlyChanged)
                {
                    pin = pin with { Changed = definition, ChangedAt = now };
                    _pins[key] = pin;
                }

                checks.Add(new PinCheck(definition.Tool, PinState.Changed, pin, newlyChanged));
            }
        }

        return Task.FromResult<IReadOnlyList<PinCheck>>(checks);
    }

    public Task<IReadOnlyList<PinRecord>> ListAsync(string? server, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<PinRecord>>([.. _pins.Values.Where(pin => server is null || pin.Server == server)]);
        }
    }

    public Task<IReadOnlyList<PinName>> ListNamesAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<PinName>>([.. _pins.Keys.Select(key => new PinName(key.Server, key.Tool))]);
        }
    }

    public Task<PinAcceptance> AcceptAsync(string server, string tool, string? fingerprint, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_pins.TryGetValue((server, tool), out var pin))
            {
                return Task.FromResult(PinAcceptance.UnknownTool);
            }

            if (pin.Changed is not { } changed)
            {
                return Task.FromResult(PinAcceptance.NothingToAccept);
            }

            if (fingerprint is not null && !string.Equals(fingerprint, changed.Fingerprint, StringComparison.Ordinal))
            {
                return Task.FromResult(PinAcceptance.FingerprintMismatch);
            }

            _pins[(server, tool)] = pin with { Pinned = changed, AcceptedAt = _time.GetUtcNow(), Changed = null, ChangedAt = null };
            return Task.FromResult(PinAcceptance.Accepted);
        }
    }

    private sealed class PinKeyComparer : IComparer<(string Server, string Tool)>
    {
        public static PinKeyComparer Instance { get; } = new();

        public int Compare((string Server, string Tool) x, (string Server, string Tool) y)
        {
            var byServer = string.CompareOrdinal(x.Server, y.Server);
            return byServer != 0 ? byServer : string.CompareOrdinal(x.Tool, y.Tool);
        }
    }
}
