using McpWarden.Gateway.Configuration;
using McpWarden.Policy.Definitions;
using McpWarden.Policy.Diagnostics;
using Xunit;

namespace McpWarden.Gateway.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-config-").FullName;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        ["DARAJA_CONSUMER_KEY"] = "key-from-env",
        ["REMOTE_TOKEN"] = "token-from-env",
    };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationLoadResult Load(string json, string name = "mcpwarden.json")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, json);
        return ConfigurationLoader.LoadFile(path, n => _environment.GetValueOrDefault(n));
    }

    private Diagnostic[] Errors(string json) => Load(json).Diagnostics.Where(d => d.IsError).ToArray();

    private void WritePolicy(string relative, string json)
    {
        var path = Path.Combine(_directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
    }

    [Fact]
    public void Load_TheDocumentedExample_LoadsWithEveryPartInPlace()
    {
        WritePolicy("policies/daraja.json", """{"version":"1","default":"deny","tools":{"stk_push":{"rate_limit":{"max":10,"window":60}}}}""");
        var hash = new string('a', 64);
        var result = Load($$"""
            {
              "mcpServers": {
                "daraja":  { "command": "npx", "args": ["-y", "@meshark/safaricom-daraja-mcp"],
                             "env": { "DARAJA_CONSUMER_KEY": "${DARAJA_CONSUMER_KEY}" },
                             "policy": "policies/daraja.json" },
                "remote":  { "url": "http://127.0.0.1:9000/mcp", "headers": { "Authorization": "Bearer ${REMOTE_TOKEN}" },
                             "policy": { "version": "1", "default": "deny", "tools": {} } }
              },
              "grants":  { "ops-agent": { "keySha256": "{{hash}}", "servers": ["daraja"] } },
              "admin":   { "tokenSha256": "{{hash}}" },
              "store":   { "path": "mcpwarden.db" }
            }
            """);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var configuration = result.Configuration!;
        var daraja = Assert.IsType<StdioUpstreamDefinition>(configuration.Servers[0].Upstream);
        Assert.Equal(("npx", "key-from-env"), (daraja.Command, daraja.Environment["DARAJA_CONSUMER_KEY"]));
        Assert.Equal(["-y", "@meshark/safaricom-daraja-mcp"], daraja.Arguments);
        Assert.Equal(_directory, daraja.WorkingDirectory);
        Assert.Equal(PolicyAction.Allow, configuration.Servers[0].Policy.Resolve("stk_push").Action);
        var remote = Assert.IsType<HttpUpstreamDefinition>(configuration.Servers[1].Upstream);
        Assert.Equal(("http://127.0.0.1:9000/mcp", "Bearer token-from-env", HttpUpstreamKind.AutoDetect), (remote.Url.ToString(), remote.Headers["Authorization"], remote.Kind));
        Assert.Equal("/mcpServers/remote/policy", configuration.Servers[1].PolicySource);
        var grant = Assert.Single(configuration.Grants);
        Assert.Equal(("ops-agent", 32), (grant.Name, grant.KeySha256.Length));
        Assert.Equal(["daraja"], grant.Servers!);
        Assert.Equal(Path.Combine(_directory, "mcpwarden.db"), configuration.Store.Path);
        Assert.Equal(EnforcementMode.Enforce, configuration.Servers[0].Mode);
        Assert.Equal(TimeSpan.FromSeconds(60), configuration.Servers[0].RequestTimeout);
    }

    [Fact]
    public void Load_UnsetVariable_IsAnErrorAtTheStringThatNamesIt()
    {
        var error = Assert.Single(Errors("""
            {"mcpServers": {"s": {"command": "server",
              "env": {"TOKEN": "${NOT_SET}"}}}}
            """));
        Assert.Equal((DiagnosticCodes.MissingVariable, "/mcpServers/s/env/TOKEN", new SourcePosition(2, 20)), (error.Code, error.Path, error.Position));
        Assert.Contains("NOT_SET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TwoGrantsWithOneKey_IsAnErrorNamingBoth()
    {
        var error = Assert.Single(Errors($$"""
            { "mcpServers": { "s": { "command": "server" } },
              "grants": { "alice": { "keySha256": "{{new string('b', 64)}}" }, "bob": { "keySha256": "{{new string('B', 64)}}" } } }
            """));

        Assert.Equal((DiagnosticCodes.DuplicateGrantKey, "/grants/bob/keySha256"), (error.Code, error.Path));
        Assert.Contains("\"alice\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GrantNamingAServerWhoseEntryHasAnError_ReportsOnlyThatError()
    {
        var errors = Errors($$"""
            { "mcpServers": { "remote": { "url": "${UNSET_URL}", "policy": { "version": "1" } } },
              "grants": { "ops": { "keySha256": "{{new string('a', 64)}}", "servers": ["remote"] } } }
            """);

        var error = Assert.Single(errors);
        Assert.Equal((DiagnosticCodes.MissingVariable, "/mcpServers/remote/url"), (error.Code, error.Path));
    }

    [Fact]
    public void Load_InlinePolicyError_IsLocatedInTheConfigurationFile()
    {
        var error = Assert.Single(Errors("""
            {"mcpServers": {"s": {"command": "server", "policy": {"version": "1", "default": "deny",
              "tools": {"t": {"limits": [{"counter": "c", "window": "fortnight", "max": 1}]}}}}}}
            """));
        Assert.Equal((DiagnosticCodes.InvalidWindow, "/mcpServers/s/policy/tools/t/limits/0/window"), (error.Code, error.Path));
        Assert.Equal(2, error.Position.Line);
        Assert.EndsWith("mcpwarden.json", error.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PolicyFileError_IsLocatedInThePolicyFile()
    {
        WritePolicy("p.json", """{"version":"1","default":"deny","tools":{"t":{"actoin":"deny"}}}""");
        var error = Assert.Single(Errors("""{"mcpServers": {"s": {"command": "server", "policy": "p.json"}}}"""));
        Assert.Equal((DiagnosticCodes.UnknownField, "/tools/t/actoin"), (error.Code, error.Path));
        Assert.EndsWith("p.json", error.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingPolicyFile_IsAnError() =>
        Assert.Equal(DiagnosticCodes.UnreadableFile, Assert.Single(Errors("""{"mcpServers": {"s": {"command": "server", "policy": "absent.json"}}}""")).Code);

    [Fact]
    public void Load_ServerWithoutPolicy_WarnsAndDeniesEverything()
    {
        var result = Load("""{"mcpServers": {"s": {"command": "server"}}}""");
        Assert.True(result.Succeeded);
        Assert.Equal(DiagnosticCodes.ServerWithoutPolicy, Assert.Single(result.Diagnostics).Code);
        Assert.True(result.Configuration!.Servers[0].Policy.Hides("anything"));
    }

    [Fact]
    public void Load_DuplicateKeyInAnInlinePolicy_IsReportedOnce()
    {
        var errors = Errors("""{"mcpServers": {"s": {"command": "server", "policy": {"version": "1", "default": "deny", "default": "allow"}}}}""");
        var error = Assert.Single(errors);
        Assert.Equal((DiagnosticCodes.DuplicateKey, "/mcpServers/s/policy/default"), (error.Code, error.Path));
    }

    [Theory]
    [InlineData("""{"mcpServers": {"s": {"comand": "server"}}}""", DiagnosticCodes.UnknownField, "/mcpServers/s/comand")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "url": "http://127.0.0.1:1/mcp"}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s")]
    [InlineData("""{"mcpServers": {"s": {"args": []}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "headers": {}}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s/headers")]
    [InlineData("""{"mcpServers": {"s": {"url": "http://127.0.0.1:1/mcp", "env": {}}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s/env")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "type": "sse"}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s/type")]
    [InlineData("""{"mcpServers": {"s": {"url": "http://127.0.0.1:1/mcp", "type": "websocket"}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s/type")]
    [InlineData("""{"mcpServers": {"s": {"url": "ftp://example/mcp"}}}""", DiagnosticCodes.InvalidUrl, "/mcpServers/s/url")]
    [InlineData("""{"mcpServers": {"s": {"url": "/mcp"}}}""", DiagnosticCodes.InvalidUrl, "/mcpServers/s/url")]
    [InlineData("""{"mcpServers": {"a__b": {"command": "server"}}}""", DiagnosticCodes.InvalidServerName, "/mcpServers/a__b")]
    [InlineData("""{"mcpServers": {"a b": {"command": "server"}}}""", DiagnosticCodes.InvalidServerName, "/mcpServers/a b")]
    [InlineData("""{"mcpServers": {"pay_": {"command": "server"}}}""", DiagnosticCodes.InvalidServerName, "/mcpServers/pay_")]
    [InlineData("""{"mcpServers": {"s": {"command": ""}}}""", DiagnosticCodes.EmptyString, "/mcpServers/s/command")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "args": "-y"}}}""", DiagnosticCodes.WrongType, "/mcpServers/s/args")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "env": {"A": 1}}}}""", DiagnosticCodes.WrongType, "/mcpServers/s/env/A")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "timeout": 0}}}""", DiagnosticCodes.InvalidTimeout, "/mcpServers/s/timeout")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "mode": "audit"}}}""", DiagnosticCodes.InvalidMode, "/mcpServers/s/mode")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "pin": "false"}}}""", DiagnosticCodes.WrongType, "/mcpServers/s/pin")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "pin": 0}}}""", DiagnosticCodes.WrongType, "/mcpServers/s/pin")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "shared": "yes"}}}""", DiagnosticCodes.WrongType, "/mcpServers/s/shared")]
    [InlineData("""{"mcpServers": {"s": {"url": "http://127.0.0.1:1/mcp", "shared": true}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s/shared")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "scan": "block"}}}""", DiagnosticCodes.InvalidScanAction, "/mcpServers/s/scan")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "scan": true}}}""", DiagnosticCodes.InvalidScanAction, "/mcpServers/s/scan")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "policy": 3}}}""", DiagnosticCodes.WrongType, "/mcpServers/s/policy")]
    [InlineData("""{"mcpServers": {}, "grants": {"g": {"keySha256": "abc"}}}""", DiagnosticCodes.InvalidHash, "/grants/g/keySha256")]
    [InlineData("""{"mcpServers": {}, "grants": {"g": {}}}""", DiagnosticCodes.MissingField, "/grants/g")]
    [InlineData("""{"mcpServers": {}, "grants": {"g/h": {"keySha256": "0000000000000000000000000000000000000000000000000000000000000000"}}}""", DiagnosticCodes.InvalidGrantName, "/grants/g~1h")]
    [InlineData("""{"mcpServers": {}, "grants": {"g": {"keySha256": "0000000000000000000000000000000000000000000000000000000000000000", "servers": ["nope"]}}}""", DiagnosticCodes.UnknownServer, "/grants/g/servers/0")]
    [InlineData("""{"mcpServers": {}, "admin": {"token": "secret"}}""", DiagnosticCodes.UnknownField, "/admin/token")]
    [InlineData("""{"mcpServers": {}, "store": {}}""", DiagnosticCodes.InvalidStore, "/store")]
    [InlineData("""{"mcpServers": {}, "store": {"path": "a.db", "password": "x"}}""", DiagnosticCodes.InvalidStore, "/store/password")]
    [InlineData("""{"mcpServers": {}, "store": {"path": "a.db", "failOpen": true}}""", DiagnosticCodes.InvalidStore, "/store/failOpen")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "127.0.0.1:6379", "failOpen": "yes"}}""", DiagnosticCodes.WrongType, "/store/failOpen")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "127.0.0.1:6379", "tls": "on"}}""", DiagnosticCodes.WrongType, "/store/tls")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "127.0.0.1:6379", "tls": {"ca": "ca.pem"}}}""", DiagnosticCodes.UnknownField, "/store/tls/ca")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "127.0.0.1:6379", "password": ""}}""", DiagnosticCodes.EmptyString, "/store/password")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "127.0.0.1:6379", "password": "${NOT_SET}"}}""", DiagnosticCodes.MissingVariable, "/store/password")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "127.0.0.1:6379", "keyPrefix": 3}}""", DiagnosticCodes.WrongType, "/store/keyPrefix")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "localhost"}}""", DiagnosticCodes.InvalidStore, "/store/redis")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "redis://redis:6379"}}""", DiagnosticCodes.InvalidStore, "/store/redis")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "redis host:6379"}}""", DiagnosticCodes.InvalidStore, "/store/redis")]
    [InlineData("""{"mcpServers": {}, "store": {"redis": "::1:6379"}}""", DiagnosticCodes.InvalidStore, "/store/redis")]
    [InlineData("""{"mcpServers": {}, "mode": "monitor"}""", DiagnosticCodes.InvalidMode, "/mode")]
    [InlineData("""{"mcpServers": [], "extra": true}""", DiagnosticCodes.WrongType, "/mcpServers")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "policy": "p\u0000.json"}}}""", DiagnosticCodes.UnreadableFile, "/mcpServers/s/policy")]
    [InlineData("""{"mcpServers": {"s": {"command": "server", "cwd": "a\u0000b"}}}""", DiagnosticCodes.InvalidTransport, "/mcpServers/s/cwd")]
    [InlineData("""{"mcpServers": {}, "store": {"path": "a\u0000.db"}}""", DiagnosticCodes.InvalidStore, "/store/path")]
    public void Load_OneMistake_IsAnErrorAtItsPath(string json, string code, string path)
    {
        var errors = Errors(json);
        Assert.Contains(errors, e => e.Code == code && e.Path == path);
        Assert.False(Load(json).Succeeded);
    }

    [Fact]
    public void Load_SecretPastedInsteadOfItsHash_IsNotEchoed()
    {
        var error = Assert.Single(Errors("""{"mcpServers": {}, "admin": {"tokenSha256": "my-real-admin-token"}}"""));
        Assert.DoesNotContain("my-real-admin-token", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PinAndScan_DefaultToPinningAndHiding_AndAreReadPerServer()
    {
        var result = Load("""{"mcpServers": {"a": {"command": "a"}, "b": {"command": "b", "pin": false, "scan": "warn"}, "c": {"command": "c", "pin": true, "scan": "hide"}}}""");
        Assert.Equal(
            [(true, ScanAction.Hide), (false, ScanAction.Warn), (true, ScanAction.Hide)],
            result.Configuration!.Servers.Select(s => (s.Pinning, s.Scan)).ToArray());
    }

    [Fact]
    public void Load_Shared_IsOffUnlessAServerAsksForIt_AndPartOfHowItIsReached()
    {
        var result = Load("""{"mcpServers": {"a": {"command": "a"}, "b": {"command": "b", "shared": true}, "c": {"command": "c", "shared": false}}}""");
        var upstreams = result.Configuration!.Servers.Select(s => Assert.IsType<StdioUpstreamDefinition>(s.Upstream)).ToArray();
        Assert.Equal([false, true, false], upstreams.Select(u => u.Shared).ToArray());

        // A reload that turns sharing on or off starts the server anew: its sessions are closed like any other change of how it is reached.
        Assert.False(UpstreamEquality.Same(upstreams[0] with { Command = "b" }, upstreams[1]));
        Assert.True(UpstreamEquality.Same(upstreams[1], upstreams[1] with { }));
    }

    [Fact]
    public void Load_Modes_DefaultFromTheTopAndOverridePerServer()
    {
        var result = Load("""{"mode": "observe", "mcpServers": {"a": {"command": "a"}, "b": {"command": "b", "mode": "enforce"}}}""");
        Assert.Equal([EnforcementMode.Observe, EnforcementMode.Enforce], result.Configuration!.Servers.Select(s => s.Mode).ToArray());
    }

    [Fact]
    public void Load_RelativePaths_AreRelativeToTheConfigurationFile()
    {
        var result = Load("""{"mcpServers": {"s": {"command": "server", "cwd": "work"}}, "store": {"path": "state/gw.db"}}""");
        var upstream = Assert.IsType<StdioUpstreamDefinition>(result.Configuration!.Servers[0].Upstream);
        Assert.Equal(Path.Combine(_directory, "work"), upstream.WorkingDirectory);
        Assert.Equal(Path.Combine(_directory, "state", "gw.db"), result.Configuration.Store.Path);
    }

    [Fact]
    public void Load_RedisStore_ReadsEverySettingAndKeepsTheAuditLogInAFileOfThisReplica()
    {
        _environment["REDIS_PASSWORD"] = "s3cret-from-env";
        var result = Load("""
            {"mcpServers": {}, "store": {"redis": "redis.internal:6380", "password": "${REDIS_PASSWORD}",
              "tls": {"serverName": "redis.example", "caFile": "certs/ca.pem"}, "keyPrefix": "team-a:", "failOpen": true}}
            """);

        var store = result.Configuration!.Store;
        Assert.Equal(Path.Combine(_directory, "mcpwarden.db"), store.Path);
        var redis = store.Redis!;
        Assert.Equal(("redis.internal:6380", "s3cret-from-env", true, "redis.example"), (redis.Endpoint, redis.Password, redis.Tls, redis.TlsServerName));
        Assert.Equal((Path.Combine(_directory, "certs", "ca.pem"), "team-a:", true), (redis.TlsCaFile, redis.KeyPrefix, redis.FailOpen));
        Assert.DoesNotContain("s3cret", store.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RedisStoreWithPath_KeepsTheAuditLogThere_AndDefaultsFailClosedWithoutTls()
    {
        var store = Load("""{"mcpServers": {}, "store": {"redis": "127.0.0.1:6379", "path": "audit/replica-1.db", "tls": false}}""").Configuration!.Store;

        Assert.Equal(Path.Combine(_directory, "audit", "replica-1.db"), store.Path);
        Assert.Equal((false, false, null, "mcpwarden:"), (store.Redis!.FailOpen, store.Redis.Tls, store.Redis.Password, store.Redis.KeyPrefix));
    }

    [Fact]
    public void Load_NoServers_Warns()
    {
        var result = Load("""{"mcpServers": {}}""");
        Assert.True(result.Succeeded);
        Assert.Equal(DiagnosticCodes.NoServers, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void IsConfiguration_TellsConfigurationsFromPolicies()
    {
        Assert.True(ConfigurationLoader.IsConfiguration(Testing.Policies.Json("""{"mcpServers":{}}""")));
        Assert.False(ConfigurationLoader.IsConfiguration(Testing.Policies.Json("""{"version":"1"}""")));
    }

    [Fact]
    public void Load_NoAudit_KeepsNoArgumentsAndRedactsTheDefaultTerms()
    {
        var result = Load("""{"mcpServers": {}}""");

        var audit = result.Configuration!.Audit;
        Assert.False(audit.RecordArguments);
        Assert.True(audit.Redactor.IsSecret("password"));
        Assert.True(audit.Redactor.IsSecret("api_key"));
    }

    [Fact]
    public void Load_Audit_RecordsArgumentsWithTheTermsGivenInsteadOfTheDefaults()
    {
        var result = Load("""{"mcpServers": {}, "audit": {"recordArguments": true, "redact": ["msisdn", "national_id"]}}""");

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var audit = result.Configuration!.Audit;
        Assert.True(audit.RecordArguments);
        Assert.True(audit.Redactor.IsSecret("msisdn"));
        Assert.True(audit.Redactor.IsSecret("nationalId"));
        Assert.False(audit.Redactor.IsSecret("password"));
    }

    [Fact]
    public void Load_AuditWithOnlyRecordArguments_KeepsTheDefaultTerms()
    {
        var audit = Load("""{"mcpServers": {}, "audit": {"recordArguments": false}}""").Configuration!.Audit;

        Assert.False(audit.RecordArguments);
        Assert.True(audit.Redactor.IsSecret("client_secret"));
    }

    [Theory]
    [InlineData("""{"mcpServers": {}, "audit": true}""", DiagnosticCodes.WrongType, "/audit")]
    [InlineData("""{"mcpServers": {}, "audit": {"recordArguments": "yes"}}""", DiagnosticCodes.InvalidAudit, "/audit/recordArguments")]
    [InlineData("""{"mcpServers": {}, "audit": {"recordArguments": 1}}""", DiagnosticCodes.InvalidAudit, "/audit/recordArguments")]
    [InlineData("""{"mcpServers": {}, "audit": {"redact": "password"}}""", DiagnosticCodes.InvalidAudit, "/audit/redact")]
    [InlineData("""{"mcpServers": {}, "audit": {"redact": ["password", 1]}}""", DiagnosticCodes.InvalidAudit, "/audit/redact")]
    [InlineData("""{"mcpServers": {}, "audit": {"redact": [" "]}}""", DiagnosticCodes.InvalidAudit, "/audit/redact")]
    [InlineData("""{"mcpServers": {}, "audit": {"redact": ["--"]}}""", DiagnosticCodes.InvalidAudit, "/audit/redact")]
    [InlineData("""{"mcpServers": {}, "audit": {"redact": [null]}}""", DiagnosticCodes.InvalidAudit, "/audit/redact")]
    [InlineData("""{"mcpServers": {}, "audit": {"recordArgs": true}}""", DiagnosticCodes.UnknownField, "/audit/recordArgs")]
    public void Load_BadAudit_IsOneErrorAtItsPath(string json, string code, string path)
    {
        var error = Assert.Single(Errors(json));
        Assert.Equal((code, path), (error.Code, error.Path));
    }
}
