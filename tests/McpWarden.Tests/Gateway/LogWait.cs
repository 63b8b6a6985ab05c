using System.Diagnostics;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// Waits for a gateway process to log a text: its log reaches the test through the console logger's queue and a
/// pipe, a moment after it is written, so an answer the client already has may be logged later.
/// </summary>
internal static class LogWait
{
    public static async Task UntilAsync(Func<string> log, string text)
    {
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (!log().Contains(text, StringComparison.Ordinal))
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"the gateway never logged \"{text}\":\n{log()}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
