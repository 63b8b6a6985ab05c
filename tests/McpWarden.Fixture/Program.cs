using McpWarden.Fixture;
using McpWarden.Fixture.Http;
using McpWarden.Fixture.Tools;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.Server;

// mcpwarden-fixture stdio
// mcpwarden-fixture http [--urls http://127.0.0.1:PORT]   (PORT 0 picks a free port)
// Standard output belongs to the protocol (stdio) or to the one "listening on" line (http); logs go to
// standard error.
const string Usage = "usage: mcpwarden-fixture stdio | mcpwarden-fixture http [--urls http://127.0.0.1:PORT]";
const string McpPath = "/mcp";

var time = TimeProvider.System;
var fixture = new FixtureServer(time, CallLog.FromEnvironment(time));

switch (args)
{
    case ["stdio"]:
        return await RunStdioAsync(fixture);
    case ["http", .. var rest] when rest.Length == 0 || rest is ["--urls", _]:
        return await RunHttpAsync(fixture, time, rest.Length == 0 ? "http://127.0.0.1:0" : rest[1]);
    default:
        await Console.Error.WriteLineAsync(Usage);
        return 2;
}

static async Task<int> RunStdioAsync(FixtureServer fixture)
{
    using var loggerFactory = LoggerFactory.Create(logging => logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
    var options = fixture.CreateOptions();
    await using var transport = new StdioServerTransport(options, loggerFactory);
    await using var server = McpServer.Create(transport, options, loggerFactory);
    await server.RunAsync();
    return 0;
}

static async Task<int> RunHttpAsync(FixtureServer fixture, TimeProvider time, string urls)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls(urls);
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddSingleton(fixture);
    builder.Services.AddSingleton<ISseEventStreamStore>(new InMemoryEventStreamStore(time));
    builder.Services.AddSingleton<HttpFront>();

    await using var app = builder.Build();
    app.Use(async (context, next) =>
    {
        if (LoopbackOnly.Allows(context.Request))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.Response.WriteAsync("Forbidden: Host and Origin must name this machine's loopback interface");
    });
    var front = app.Services.GetRequiredService<HttpFront>();
    front.Map(app, McpPath);
    app.Lifetime.ApplicationStopping.Register(() => front.CloseAllAsync().GetAwaiter().GetResult());

    await app.StartAsync();
    foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
    {
        await Console.Out.WriteLineAsync($"listening on {address.TrimEnd('/')}{McpPath}");
    }

    await Console.Out.FlushAsync();
    await app.WaitForShutdownAsync();
    return 0;
}
