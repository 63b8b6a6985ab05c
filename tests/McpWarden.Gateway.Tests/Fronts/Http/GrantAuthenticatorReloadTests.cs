using System.Security.Cryptography;
using System.Text;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Fronts.Http;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Json;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts.Http;

public sealed class GrantAuthenticatorReloadTests
{
    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static ConfigurationLoadResult Load(string grants)
    {
        using var document = SourceDocument.Parse("mcpwarden.json", """{ "mcpServers": { "a": { "command": "x" }, "b": { "command": "y" } }, "grants": """ + grants + " }");
        var loaded = ConfigurationLoader.Load(document, "/config/mcpwarden.json", _ => null);
        Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));
        return loaded;
    }

    [Fact]
    public void Authenticate_OnTheLiveConfiguration_FollowsEachReload()
    {
        var live = new LiveConfiguration(Load($$"""{ "alice": { "keySha256": "{{Hash("alice-key")}}" } }"""), new ManualTimeProvider(ManualTimeProvider.TestEpoch));
        var grants = new GrantAuthenticator(live);
        Assert.Equal((GrantAuthenticationOutcome.Authenticated, "alice"), Result(grants.Authenticate("Bearer alice-key", "b")));
        Assert.Equal(GrantAuthenticationOutcome.UnknownKey, grants.Authenticate("Bearer bob-key", null).Outcome);

        live.Apply(Load($$"""{ "alice": { "keySha256": "{{Hash("alice-key")}}", "servers": ["a"] }, "bob": { "keySha256": "{{Hash("bob-key")}}" } }"""));

        Assert.Equal((GrantAuthenticationOutcome.ServerNotAllowed, "alice"), Result(grants.Authenticate("Bearer alice-key", "b")));
        Assert.Equal((GrantAuthenticationOutcome.Authenticated, "alice"), Result(grants.Authenticate("Bearer alice-key", "a")));
        Assert.Equal((GrantAuthenticationOutcome.Authenticated, "bob"), Result(grants.Authenticate("Bearer bob-key", "b")));
    }

    private static (GrantAuthenticationOutcome, string?) Result(GrantAuthentication authentication) => (authentication.Outcome, authentication.Grant);
}
