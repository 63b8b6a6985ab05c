using System.Net;
using System.Text.Json;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// SIGKILL under load: clients, each in a session of its own, call the gateway as fast as they can; once
/// enough calls have succeeded the gateway is killed with every client's call in flight.
/// </summary>
internal static class KillUnderLoad
{
    /// <summary>
    /// Kills <paramref name="gateway"/> after <paramref name="killAfter"/> calls succeeded and returns how many
    /// had succeeded by then. <paramref name="call"/> gives the body of client c's n-th call (n from 1), and
    /// <paramref name="succeeded"/> says whether an answer is a success.
    /// </summary>
    public static async Task<int> RunAsync(
        ServeGatewayProcess gateway, string server, int clients, int killAfter, Func<int, int, string> call, Func<JsonElement, bool> succeeded)
    {
        var count = 0;
        using var stop = new CancellationTokenSource();
        var endpoint = gateway.Endpoint(server);
        using var mcp = new McpHttpExchange();

        // Every session is open (its server process started) before the load begins.
        var sessions = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => mcp.InitializeAsync(endpoint)));
        var load = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var answer = await mcp.PostAsync(endpoint, call(client, n), sessions[client]);
                    if (answer.Status == HttpStatusCode.OK && succeeded(answer.Last))
                    {
                        Interlocked.Increment(ref count);
                    }
                }
                catch (HttpRequestException)
                {
                    // The gateway is gone.
                    return;
                }
            }
        })).ToList();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Volatile.Read(ref count) < killAfter)
        {
            await Task.Delay(5, timeout.Token);
        }

        await gateway.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(load);
        return Volatile.Read(ref count);
    }
}
