using McpWarden.Gateway.Fronts;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts;

[Trait("Security", "faults")]
public sealed class ClientFeedTests
{
    private static JsonRpcNotification Progress(int n) => new() { Method = NotificationMethods.ProgressNotification, Params = new System.Text.Json.Nodes.JsonObject { ["progress"] = n } };

    private static List<JsonRpcMessage> Drain(ClientFeed feed)
    {
        var read = new List<JsonRpcMessage>();
        while (feed.Messages.TryRead(out var message))
        {
            read.Add(message);
        }

        return read;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AWaitingReader_GoesOnInTheWritersThread_OnlyWhenAskedTo(bool writerRunsReader)
    {
        var feed = new ClientFeed(writerRunsReader);
        var readerThread = ReadOnceAsync(feed);
        var writerThread = 0;
        var writer = new Thread(() =>
        {
            writerThread = Environment.CurrentManagedThreadId;
            feed.Write(Progress(1));
        });

        writer.Start();
        writer.Join();

        // The writer is a thread of its own, never one of the pool's: the reader is on it only if it ran inline.
        Assert.Equal(writerRunsReader, await readerThread.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken) == writerThread);
    }

    private static async Task<int> ReadOnceAsync(ClientFeed feed)
    {
        await feed.Messages.WaitToReadAsync(TestContext.Current.CancellationToken).ConfigureAwait(false);
        return Environment.CurrentManagedThreadId;
    }

    [Fact]
    public void Write_NeverWaits_AndHoldsAtMostItsCapacityOfNotificationsForAClientThatDoesNotRead()
    {
        var feed = new ClientFeed();
        var written = Enumerable.Range(0, 10_000).Select(n => feed.Write(Progress(n))).ToList();

        Assert.Equal(ClientFeed.Capacity, written.Count(w => w == FeedWrite.Queued));
        Assert.Equal(10_000 - ClientFeed.Capacity, written.Count(w => w == FeedWrite.Dropped));
        Assert.Equal(ClientFeed.Capacity, feed.Messages.Count);
        Assert.Equal(10_000 - ClientFeed.Capacity, feed.DroppedSinceNotice);
    }

    [Fact]
    public void Write_AnAnswer_IsNeverDropped_AndFollowsANoticeOfWhatWasDropped()
    {
        var feed = new ClientFeed();
        for (var n = 0; n < ClientFeed.Capacity + 5; n++)
        {
            feed.Write(Progress(n));
        }

        Assert.Equal(FeedWrite.Queued, feed.Write(new JsonRpcResponse { Id = new RequestId(1), Result = null }));
        var read = Drain(feed);

        Assert.Equal(ClientFeed.Capacity + 2, read.Count);
        var notice = Assert.IsType<JsonRpcNotification>(read[^2]);
        Assert.Equal("notifications/message", notice.Method);
        Assert.Equal("mcpwarden", (string?)notice.Params!["logger"]);
        Assert.StartsWith("the gateway dropped 5 notifications", (string?)notice.Params["data"], StringComparison.Ordinal);
        Assert.IsType<JsonRpcResponse>(read[^1]);
        Assert.Equal(0, feed.DroppedSinceNotice);
    }

    [Fact]
    public void Write_AServerRequest_IsDroppedLikeANotification_SoTheCallerCanAnswerTheServer()
    {
        var feed = new ClientFeed();
        for (var n = 0; n < ClientFeed.Capacity; n++)
        {
            feed.Write(Progress(n));
        }

        Assert.Equal(FeedWrite.Dropped, feed.Write(new JsonRpcRequest { Id = new RequestId(7), Method = RequestMethods.ElicitationCreate }));
    }

    [Fact]
    public void Write_AfterTheClientCatchesUp_QueuesAgain_AfterTheNotice()
    {
        var feed = new ClientFeed();
        for (var n = 0; n < ClientFeed.Capacity + 1; n++)
        {
            feed.Write(Progress(n));
        }

        Drain(feed);
        Assert.Equal(FeedWrite.Queued, feed.Write(Progress(-1)));
        var read = Drain(feed);

        Assert.Equal(["notifications/message", NotificationMethods.ProgressNotification], read.Select(m => ((JsonRpcNotification)m).Method));
        Assert.StartsWith("the gateway dropped 1 notification or request", (string?)((JsonRpcNotification)read[0]).Params!["data"], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ToAnAbandonedOrCompletedFeed_IsClosed()
    {
        var abandoned = new ClientFeed();
        abandoned.Abandon();
        var completed = new ClientFeed();
        completed.Complete();

        Assert.Equal(FeedWrite.Closed, abandoned.Write(Progress(1)));
        Assert.Equal(FeedWrite.Closed, completed.Write(new JsonRpcResponse { Id = new RequestId(1), Result = null }));
    }

    [Fact]
    public async Task WaitForRoom_WaitsWhileAClientThatAsksWithoutReadingHasAFullFeed_AndReturnsOnceAMessageIsTaken()
    {
        var feed = new ClientFeed();
        for (var n = 0; n < ClientFeed.Capacity; n++)
        {
            feed.Write(new JsonRpcResponse { Id = new RequestId(n), Result = null });
        }

        var waiting = feed.WaitForRoomAsync(TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted, "a full feed must hold back the client's next request");

        Assert.True(feed.Messages.TryRead(out _));
        feed.Taken();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WaitForRoom_EndsWhenTheClientGoesAway()
    {
        var feed = new ClientFeed();
        for (var n = 0; n < ClientFeed.Capacity + 3; n++)
        {
            feed.Write(new JsonRpcResponse { Id = new RequestId(n), Result = null });
        }

        var waiting = feed.WaitForRoomAsync(TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        feed.Abandon();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
