using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// One server inside an aggregated session: its own relay session (which enforces that server's policy), the
/// requests the aggregate has waiting on it, and what the aggregate learned of it (capabilities, listed resources).
/// </summary>
internal sealed class AggregateMember
{
    private IRelaySession? _session;
    private volatile bool _leftOut;
    private volatile JsonObject? _capabilities;
    private volatile IReadOnlySet<string> _listedUris = new HashSet<string>(StringComparer.Ordinal);
    private volatile IReadOnlyList<UriTemplatePattern> _listedTemplates = [];

    public AggregateMember(string name) => Name = name;

    /// <summary>The configured server name, the prefix of its tools and prompts.</summary>
    public string Name { get; }

    /// <summary>The inner session; present once opened, which happens before anything is relayed.</summary>
    public IRelaySession Session => _session ?? throw new InvalidOperationException($"the session with {Name} is not open");

    public bool IsOpen => _session is not null;

    /// <summary>Requests the aggregate sent this session, by the aggregate's id for them.</summary>
    public ConcurrentDictionary<RequestId, InnerRequest> Pending { get; } = new();

    /// <summary>True once the server failed to start or to initialize: nothing is routed to it or relayed from it.</summary>
    public bool LeftOut
    {
        get => _leftOut;
        set => _leftOut = value;
    }

    /// <summary>Serving: opened and not left out.</summary>
    public bool Serves => IsOpen && !LeftOut;

    /// <summary>The capabilities the server declared at initialize; null until then.</summary>
    public JsonObject? Capabilities
    {
        get => _capabilities;
        set => _capabilities = value;
    }

    /// <summary>URIs from the server's last complete <c>resources/list</c>.</summary>
    public IReadOnlySet<string> ListedUris
    {
        get => _listedUris;
        set => _listedUris = value;
    }

    /// <summary>Templates from the server's last complete <c>resources/templates/list</c>.</summary>
    public IReadOnlyList<UriTemplatePattern> ListedTemplates
    {
        get => _listedTemplates;
        set => _listedTemplates = value;
    }

    public void Attach(IRelaySession session) => _session = session;

    /// <summary>Whether the server declared <paramref name="capability"/>; before initialize nothing is known, so every server may have it.</summary>
    public bool Declares(string capability) => Capabilities is not { } declared || declared[capability] is JsonObject;

    /// <summary>Whether the server listed <paramref name="uri"/> itself.</summary>
    public bool Lists(string uri) => ListedUris.Contains(uri);

    /// <summary>Whether one of the server's templates produces <paramref name="uri"/>.</summary>
    public bool HasTemplateFor(string uri) => ListedTemplates.Any(t => t.Matches(uri));
}
