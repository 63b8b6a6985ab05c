using System.Security.Cryptography;
using System.Text;
using McpWarden.Gateway.Fronts.Http;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts.Http;

/// <summary>Who may read <c>/metrics</c>: the Host check, then the token when one is configured, else loopback only.</summary>
public sealed class MetricsAccessTests
{
    private const string Token = "metrics-token";
    private static readonly byte[] TokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(Token));

    [Fact]
    public void Refusal_OnLoopbackWithoutAToken_ServesALoopbackHost_AndRefusesAnother()
    {
        var access = new MetricsAccess(new OriginCheck(loopbackOnly: true), loopbackOnly: true, () => null);

        Assert.Null(access.Refusal("127.0.0.1:8787", null, null));
        Assert.Null(access.Refusal("localhost:8787", null, "Bearer anything"));
        Assert.Equal(403, access.Refusal("evil.example", null, null)?.Status);
        Assert.Equal(403, access.Refusal("127.0.0.1:8787", "http://evil.example", null)?.Status);
    }

    [Fact]
    public void Refusal_BeyondLoopbackWithoutAToken_IsRefusedSayingHowToConfigureOne()
    {
        var access = new MetricsAccess(new OriginCheck(loopbackOnly: false), loopbackOnly: false, () => null);

        var refusal = access.Refusal("gateway.internal:8787", null, "Bearer " + Token);

        Assert.Equal(403, refusal?.Status);
        Assert.Contains("telemetry.metrics.tokenSha256", refusal?.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 401)]
    [InlineData("Bearer wrong", 401)]
    [InlineData("Basic bWV0cmljcy10b2tlbg==", 401)]
    [InlineData("Bearer ", 401)]
    [InlineData("Bearer " + Token, null)]
    [InlineData("bearer  " + Token + " ", null)]
    public void Refusal_WithAToken_NeedsItAsABearer_OnLoopbackOrBeyond(string? authorization, int? status)
    {
        foreach (var loopback in new[] { true, false })
        {
            var access = new MetricsAccess(new OriginCheck(loopback), loopback, () => TokenHash);
            Assert.Equal(status, access.Refusal(loopback ? "127.0.0.1:8787" : "gateway.internal", null, authorization)?.Status);
        }
    }
}
