using McpWarden.BenchKit;

namespace McpWarden.Load.Compare;

/// <summary>
/// The fresh processes of one scenario, in a temporary directory of their own (configuration, SQLite store, logs):
/// started, measured, then killed with everything they started.
/// </summary>
internal sealed class ScenarioStack : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _processes = [];
    private readonly List<MeasuredRole> _roles = [];
    private bool _keep;

    private ScenarioStack(string directory) => Directory = directory;

    /// <summary>Where the configuration, the store and the logs are; removed at the end unless the run failed.</summary>
    public string Directory { get; }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The grant key the clients present; null when the server has no grants (a, d).</summary>
    public string? Key { get; private set; }

    public IReadOnlyList<MeasuredRole> Roles => _roles;

    public static async Task<ScenarioStack> StartAsync(Scenario scenario, BenchPaths paths, string policy)
    {
        var stack = new ScenarioStack(System.IO.Directory.CreateTempSubdirectory($"mcpwarden-load-{scenario.Letter}-").FullName);
        try
        {
            await stack.StartProcessesAsync(scenario, paths, policy).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            stack.Keep();
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Leaves the directory behind, to be looked into.</summary>
    public void Keep() => _keep = true;

    public async ValueTask DisposeAsync()
    {
        // The front first, so the servers behind it are not seen dying by a front that would restart them.
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync().ConfigureAwait(false);
        }

        if (!_keep)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private async Task StartProcessesAsync(Scenario scenario, BenchPaths paths, string policy)
    {
        switch (scenario.Letter)
        {
            case 'a':
            {
                var fixture = await StartFixtureAsync(paths).ConfigureAwait(false);
                Endpoint = fixture.Url;
                _roles.Add(new MeasuredRole("front", "mcpwarden-fixture http", fixture.Id, Descendants: false));
                break;
            }

            case 'b':
            {
                var fixture = await StartFixtureAsync(paths).ConfigureAwait(false);
                var gateway = await StartGatewayAsync(paths, GatewayConfiguration.Write(Directory, paths.Fixture, fixture.Url, policy)).ConfigureAwait(false);
                _roles.Add(new MeasuredRole("front", "mcpwarden serve", gateway.Id, Descendants: false));
                _roles.Add(new MeasuredRole("upstream", "mcpwarden-fixture http", fixture.Id, Descendants: false));
                break;
            }

            case 'c' or 'e':
            {
                var shared = scenario.Letter == 'e';
                var gateway = await StartGatewayAsync(paths, GatewayConfiguration.Write(Directory, paths.Fixture, upstream: null, policy, shared)).ConfigureAwait(false);
                _roles.Add(new MeasuredRole("front", "mcpwarden serve", gateway.Id, Descendants: false));
                _roles.Add(new MeasuredRole("upstream", shared ? "mcpwarden-fixture stdio, one for all sessions" : "mcpwarden-fixture stdio, one per session", gateway.Id, Descendants: true));
                break;
            }

            case 'd':
            {
                var proxy = await McpProxyProcess.StartAsync(paths.McpProxy, paths.Fixture, Path.Combine(Directory, "mcp-proxy.log")).ConfigureAwait(false);
                _processes.Add(proxy);
                Endpoint = proxy.Url;
                _roles.Add(new MeasuredRole("front", "node mcp-proxy", proxy.Id, Descendants: false));
                _roles.Add(new MeasuredRole("upstream", "mcpwarden-fixture stdio, one for all sessions", proxy.Id, Descendants: true));
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario.Letter, "no such scenario");
        }
    }

    private async Task<ListeningProcess> StartFixtureAsync(BenchPaths paths)
    {
        var fixture = await ListeningProcess.StartAsync(paths.Fixture, ["http", "--urls", "http://127.0.0.1:0"], Path.Combine(Directory, "fixture.log")).ConfigureAwait(false);
        _processes.Add(fixture);
        return fixture;
    }

    private async Task<ListeningProcess> StartGatewayAsync(BenchPaths paths, string configuration)
    {
        var gateway = await ListeningProcess.StartAsync(paths.Gateway, ["serve", "--config", configuration, "--urls", "http://127.0.0.1:0"], Path.Combine(Directory, "gateway.log")).ConfigureAwait(false);
        _processes.Add(gateway);
        Endpoint = new Uri(gateway.Url, "/mcp/" + GatewayConfiguration.Server);
        Key = GatewayConfiguration.Key;
        return gateway;
    }
}
