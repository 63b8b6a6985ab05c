using System.Security.Cryptography;
using System.Text;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Fronts.Http;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts.Http;

public sealed class GrantAuthenticatorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-grants-").FullName;
    private readonly GrantAuthenticator _authenticator = new(
    [
        new GrantDefinition("everywhere", Hash("key-everywhere"), null),
        new GrantDefinition("payments-only", Hash("key-payments"), ["payments"]),
        new GrantDefinition("last", Hash("key-last"), ["files"]),
    ]);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    [Fact]
    public void Authenticate_NoGrantsConfigured_EveryCallerIsLocal()
    {
        var open = new GrantAuthenticator([]);

        Assert.False(open.RequiresKeys);
        Assert.Equal(new GrantAuthentication(GrantAuthenticationOutcome.Authenticated, GrantAuthenticator.LocalGrant), open.Authenticate(null, "payments"));
        Assert.Equal(new GrantAuthentication(GrantAuthenticationOutcome.Authenticated, GrantAuthenticator.LocalGrant), open.Authenticate("Bearer anything", null));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("key-everywhere")]
    [InlineData("Basic a2V5LWV2ZXJ5d2hlcmU=")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Bearerkey-everywhere")]
    public void Authenticate_NoOrMalformedAuthorization_IsMissingKey(string? authorization)
    {
        Assert.Equal(new GrantAuthentication(GrantAuthenticationOutcome.MissingKey, null), _authenticator.Authenticate(authorization, "payments"));
    }

    [Fact]
    public void Authenticate_OversizedKey_IsMissingKey()
    {
        var huge = "Bearer " + new string('k', GrantAuthenticator.MaxKeyLength + 1);

        Assert.Equal(GrantAuthenticationOutcome.MissingKey, _authenticator.Authenticate(huge, null).Outcome);
    }

    [Theory]
    [InlineData("Bearer guessed")]
    [InlineData("Bearer key-everywhere-")]
    [InlineData("Bearer KEY-EVERYWHERE")]
    public void Authenticate_KeyOfNoGrant_IsUnknownKeyNamingNoGrant(string authorization)
    {
        Assert.Equal(new GrantAuthentication(GrantAuthenticationOutcome.UnknownKey, null), _authenticator.Authenticate(authorization, null));
    }

    [Theory]
    [InlineData("Bearer key-everywhere", "payments", "everywhere")]
    [InlineData("bearer key-everywhere", "files", "everywhere")]
    [InlineData("BEARER   key-payments  ", "payments", "payments-only")]
    [InlineData("Bearer key-last", "files", "last")]
    public void Authenticate_GrantAllowedOnTheServer_IsThatGrant(string authorization, string server, string grant)
    {
        Assert.Equal(new GrantAuthentication(GrantAuthenticationOutcome.Authenticated, grant), _authenticator.Authenticate(authorization, server));
    }

    [Fact]
    public void Authenticate_GrantNotAllowedOnTheServer_IsServerNotAllowedNamingTheGrant()
    {
        var result = _authenticator.Authenticate("Bearer key-payments", "files");

        Assert.Equal(new GrantAuthentication(GrantAuthenticationOutcome.ServerNotAllowed, "payments-only"), result);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Authenticate_AggregatedEndpoint_AdmitsEveryGrantForTheServersItMayReach()
    {
        Assert.Equal("payments-only", _authenticator.Authenticate("Bearer key-payments", server: null).Grant);
        Assert.True(_authenticator.Authenticate("Bearer key-last", server: null).Succeeded);
    }

    [Fact]
    public void Authenticate_TwoGrantsWithOneKey_TheFirstConfiguredIsTheCaller()
    {
        var authenticator = new GrantAuthenticator([new GrantDefinition("first", Hash("shared"), ["a"]), new GrantDefinition("second", Hash("shared"), null)]);

        Assert.Equal(new GrantAuthentication(GrantAuthenticationOutcome.ServerNotAllowed, "first"), authenticator.Authenticate("Bearer shared", "b"));
    }

    [Fact]
    public void ServersOf_LimitedGrant_IsItsServersInConfiguredOrder_AndAnyOtherNameIsEveryServer()
    {
        var configuration = ConfigurationLoader.LoadFile(WriteConfiguration(), _ => null).Configuration!;

        Assert.Equal(["a", "c"], GrantAuthenticator.ServersOf("limited", configuration).Select(s => s.Name));
        Assert.Equal(["a", "b", "c"], GrantAuthenticator.ServersOf(GrantAuthenticator.LocalGrant, configuration).Select(s => s.Name));
    }

    private string WriteConfiguration()
    {
        var path = Path.Combine(_directory, "mcpwarden.json");
        const string Server = """{ "command": "server", "policy": { "version": "1" } }""";
        File.WriteAllText(path, $$"""
            { "mcpServers": { "a": {{Server}}, "b": {{Server}}, "c": {{Server}} },
              "grants": { "limited": { "keySha256": "{{new string('a', 64)}}", "servers": ["c", "a"] } } }
            """);
        return path;
    }
}
