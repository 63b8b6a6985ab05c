using McpWarden.Gateway.Storage;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests;

/// <summary>The connection's failure behaviour against a real redis-server that is stopped and started again.</summary>
public sealed class RedisConnectionTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_ServerStopped_IsUnavailableNamingTheEndpoint_ThenRecoversWithoutReopening()
    {
        await using var server = await RedisServer.StartAsync();
        using var connection = await RedisConnection.OpenAsync(new RedisStoreOptions { Endpoint = server.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.Equal("PONG", await connection.RunAsync(async db => (await db.ExecuteAsync("PING")).ToString()));

        await server.StopAsync();
        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => connection.RunAsync(db => db.StringSetAsync(connection.Key("k"), "v")));
        Assert.Contains(server.Endpoint, failure.Message, StringComparison.Ordinal);

        await server.StartAgainAsync();
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.True(await connection.RunAsync(db => db.StringSetAsync(connection.Key("k"), "v")));
                break;
            }
            catch (StoreUnavailableException) when (waiting.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Cancellation);
            }
        }
    }

    [Fact]
    public async Task Open_ServerDown_OpensAndIsUnavailableUntilItAnswers()
    {
        await using var server = await RedisServer.StartAsync();
        await server.StopAsync();

        using var connection = await RedisConnection.OpenAsync(new RedisStoreOptions { Endpoint = server.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) });
        await Assert.ThrowsAsync<StoreUnavailableException>(() => connection.RunAsync(db => db.StringGetAsync(connection.Key("k"))));
    }

    [Fact]
    public async Task Run_WrongPassword_IsUnavailableSayingWhy()
    {
        await using var server = await RedisServer.StartAsync("--requirepass", "correct horse");
        using var connection = await RedisConnection.OpenAsync(new RedisStoreOptions { Endpoint = server.Endpoint, Password = "wrong", OperationTimeout = TimeSpan.FromMilliseconds(500) });

        // Until the handshake has been refused the connection only knows it has none; from then on it says why.
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        StoreUnavailableException failure;
        do
        {
            failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => connection.RunAsync(db => db.StringGetAsync(connection.Key("k"))));
        }
        while (failure.Reason.EndsWith("(no connection)", StringComparison.Ordinal) && waiting.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Contains(server.Endpoint, failure.Message, StringComparison.Ordinal);
        Assert.Equal("the gateway's shared store is unreachable (authentication refused)", failure.Reason);
    }

    [Fact]
    public async Task Run_ServerFrozen_IsUnavailableWithinTheOperationTimeout()
    {
        // A stopped (SIGSTOP) server keeps its connections open and answers nothing, as a blackholed network does.
        await using var server = await RedisServer.StartAsync();
        using var connection = await RedisConnection.OpenAsync(new RedisStoreOptions { Endpoint = server.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.True(await connection.RunAsync(db => db.StringSetAsync(connection.Key("k"), "v")));

        using (var stop = System.Diagnostics.Process.Start("kill", ["-STOP", server.Pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await stop.WaitForExitAsync(Cancellation);
        }

        try
        {
            var frozen = connection.RunAsync(db => db.StringGetAsync(connection.Key("k")));
            var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => frozen.WaitAsync(TimeSpan.FromSeconds(30), Cancellation));
            Assert.Equal("the gateway's shared store is unreachable (no answer within 500 ms)", failure.Reason);
        }
        finally
        {
            using var resume = System.Diagnostics.Process.Start("kill", ["-CONT", server.Pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await resume.WaitForExitAsync(Cancellation);
        }
    }

    [Fact]
    public async Task Run_RightPassword_Serves()
    {
        await using var server = await RedisServer.StartAsync("--requirepass", "correct horse");
        using var connection = await RedisConnection.OpenAsync(new RedisStoreOptions { Endpoint = server.Endpoint, Password = "correct horse" });

        Assert.True(await connection.RunAsync(db => db.StringSetAsync(connection.Key("k"), "v")));
    }
}
