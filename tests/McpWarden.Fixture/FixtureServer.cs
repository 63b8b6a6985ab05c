using McpWarden.Fixture.Prompts;
using McpWarden.Fixture.Resources;
using McpWarden.Fixture.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture;

/// <summary>What the fixture serves, as options for the C# SDK's server: the same over stdio and HTTP.</summary>
internal sealed class FixtureServer(TimeProvider time, CallLog callLog)
{
    public const string Name = "mcpwarden-fixture";

    private readonly ToolCatalog _tools = new([.. new ConformanceTools(time).All(), .. RiskyTools.All(), EchoTool.Create()], callLog);

    /// <summary>Options for one session's server (the SDK's server keeps per-session state on them).</summary>
    public McpServerOptions CreateOptions() => new()
    {
        ServerInfo = new Implementation { Name = Name, Version = "1.0.0" },
        Capabilities = new ServerCapabilities
        {
            Tools = _tools.Mutable ? new ToolsCapability { ListChanged = true } : new ToolsCapability(),
            Resources = new ResourcesCapability { Subscribe = true },
            Prompts = new PromptsCapability(),
            Logging = new LoggingCapability(),
            Completions = new CompletionsCapability(),
        },
        Handlers = new McpServerHandlers
        {
            ListToolsHandler = _tools.ListAsync,
            CallToolHandler = _tools.CallAsync,
            ListResourcesHandler = FixtureResources.ListAsync,
            ListResourceTemplatesHandler = FixtureResources.ListTemplatesAsync,
            ReadResourceHandler = FixtureResources.ReadAsync,
            SubscribeToResourcesHandler = FixtureResources.SubscribeAsync,
            UnsubscribeFromResourcesHandler = FixtureResources.UnsubscribeAsync,
            ListPromptsHandler = FixturePrompts.ListAsync,
            GetPromptHandler = FixturePrompts.GetAsync,
            CompleteHandler = FixturePrompts.CompleteAsync,
            SetLoggingLevelHandler = (_, _) => ValueTask.FromResult(new EmptyResult()),
        },
    };
}
