using System.Globalization;
using McpWarden.Gateway.Approvals;
using Xunit;

namespace McpWarden.Gateway.Tests.Approvals;

public sealed class GatewayInstanceTests
{
    [Fact]
    public void IsAlive_ThisProcess_IsTrue()
    {
        Assert.True(GatewayInstance.IsAlive(GatewayInstance.Current));
        Assert.StartsWith(Environment.MachineName + "/" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "/", GatewayInstance.Current, StringComparison.Ordinal);
    }

    [Fact]
    public void IsAlive_ThisPidWithAnotherStartTime_IsFalse()
    {
        // A pid reused by another process is not the gateway that held the call.
        var parts = GatewayInstance.Current.Split('/');
        Assert.False(GatewayInstance.IsAlive($"{parts[0]}/{parts[1]}/12345"));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(4_194_000)]
    public void IsAlive_MadeUpPidOnThisMachine_IsFalse(int pid) =>
        Assert.False(GatewayInstance.IsAlive($"{Environment.MachineName}/{pid.ToString(CultureInfo.InvariantCulture)}/638000000000000000"));

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("host/notapid/1")]
    [InlineData("host/-1/1")]
    [InlineData("host/1/2/3")]
    public void IsAlive_UnreadableOwner_IsFalse(string owner) => Assert.False(GatewayInstance.IsAlive(owner));

    [Fact]
    public async Task IsAlive_AnotherRunningProcess_IsTrueDespiteClockDriftInItsStartTime_AndFalseOnceItEnds()
    {
        // Another process computes this one's start time a few milliseconds differently; it is still the owner.
        using var other = System.Diagnostics.Process.Start("sleep", "30");
        var start = other.StartTime.ToUniversalTime().Ticks;
        var owner = $"{Environment.MachineName}/{other.Id.ToString(CultureInfo.InvariantCulture)}/{(start + (3 * TimeSpan.TicksPerMillisecond)).ToString(CultureInfo.InvariantCulture)}";
        Assert.True(GatewayInstance.IsAlive(owner));
        Assert.False(GatewayInstance.IsAlive($"{Environment.MachineName}/{other.Id.ToString(CultureInfo.InvariantCulture)}/{(start - (5 * TimeSpan.TicksPerSecond)).ToString(CultureInfo.InvariantCulture)}"));

        other.Kill();
        await other.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.False(GatewayInstance.IsAlive(owner));
    }

    [Fact]
    public void IsAlive_OwnerOnAnotherMachine_IsPresumedAlive() =>
        Assert.True(GatewayInstance.IsAlive("another-machine-" + Environment.MachineName + "/1/1"));
}
