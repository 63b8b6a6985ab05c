using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpWarden.Cli;
using McpWarden.Gateway.Configuration;
using Xunit;

namespace McpWarden.Tests.Cli;

/// <summary><c>mcpwarden grant add|list|remove</c> as a real process, and what it leaves in the file.</summary>
public sealed class GrantCommandTests : IDisposable
{
    // Every field a grant command must leave alone, in an order it must keep, a variable it must not expand,
    // a number it must not reformat and characters it must not escape.
    private const string Original = """
        {
          "$schema": "https://example.org/config.schema.json",
          "mode": "enforce",
          "mcpServers": {
            "payments": { "command": "node", "args": ["pay+ments.js", "café"], "env": { "TOKEN": "${GRANT_TEST_UNSET_TOKEN}" },
                          "policy": { "version": "1", "default": "deny", "tools": { "pay": { "rate_limit": { "max": 2.50, "window": 60 } } } } },
            "files": { "url": "http://127.0.0.1:9/mcp", "headers": { "Authorization": "Bearer ${GRANT_TEST_UNSET_REMOTE}" } }
          },
          "store": { "path": "mcpwarden.db" },
          "maxMessageBytes": 65536
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-grant-").FullName;
    private readonly string _configuration;

    public GrantCommandTests()
    {
        _configuration = Path.Combine(_directory, "mcpwarden.json");
        File.WriteAllText(_configuration, Original);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Add_NewGrant_PrintsTheKeyOnceAndStoresOnlyItsHash()
    {
        var result = await CliProcess.RunAsync("grant", "add", "ops-agent", "--config", _configuration, "--servers", "payments");

        Assert.Equal(0, result.ExitCode);
        var key = result.OutputLines[0];
        Assert.Matches("^mcpw_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains("will not be shown again", result.OutputLines[1], StringComparison.Ordinal);
        Assert.Equal(2, result.Output.Split(key).Length);
        var text = await File.ReadAllTextAsync(_configuration, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        var grant = JsonDocument.Parse(text).RootElement.GetProperty("grants").GetProperty("ops-agent");
        Assert.Equal(Sha256(key), grant.GetProperty("keySha256").GetString());
        Assert.Equal(["payments"], grant.GetProperty("servers").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Add_KeepsEveryOtherFieldInItsOrderAndVariablesUnexpanded_AndTheResultLoads()
    {
        var result = await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration);

        Assert.Equal(0, result.ExitCode);
        var text = await File.ReadAllTextAsync(_configuration, TestContext.Current.CancellationToken);
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["$schema", "mode", "mcpServers", "grants", "store", "maxMessageBytes"], root.EnumerateObject().Select(p => p.Name));
        Assert.Contains("\"${GRANT_TEST_UNSET_TOKEN}\"", text, StringComparison.Ordinal);
        Assert.Contains("\"Bearer ${GRANT_TEST_UNSET_REMOTE}\"", text, StringComparison.Ordinal);
        Assert.Contains("\"max\": 2.50", text, StringComparison.Ordinal);
        Assert.Contains("\"pay+ments.js\"", text, StringComparison.Ordinal);
        Assert.Contains("\"café\"", text, StringComparison.Ordinal);
        Assert.False(root.GetProperty("grants").GetProperty("ops").TryGetProperty("servers", out _), "without --servers a grant reaches every server");

        // The variables are unset here: noted, not refused; with them set, the file loads as the gateway loads it.
        Assert.Contains("${GRANT_TEST_UNSET_REMOTE}, ${GRANT_TEST_UNSET_TOKEN} are not set here", result.Error, StringComparison.Ordinal);
        var loaded = ConfigurationLoader.LoadFile(_configuration, name => name.StartsWith("GRANT_TEST_", StringComparison.Ordinal) ? "set" : null);
        Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));
        Assert.Equal("ops", Assert.Single(loaded.Configuration!.Grants).Name);
    }

    [Fact]
    public async Task Add_ExistingName_IsRefusedAndTheFileIsByteIdentical()
    {
        Assert.Equal(0, (await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration)).ExitCode);
        var before = await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken);

        var again = await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration, "--servers", "files");

        Assert.Equal(1, again.ExitCode);
        Assert.Empty(again.Output);
        Assert.Contains("already has a grant \"ops\"; --replace", again.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Add_UnknownServer_IsRefusedNamingItAndTheFileIsByteIdentical()
    {
        var before = await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken);

        var result = await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration, "--servers", "payments,paymnets");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("has no server \"paymnets\" (it has \"payments\", \"files\")", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("ops agent", "MW5011")]
    [InlineData("", "MW5011")]
    public async Task Add_InvalidName_IsRefusedByTheLoaderAndTheFileIsByteIdentical(string name, string code)
    {
        var before = await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken);

        var result = await CliProcess.RunAsync("grant", "add", name, "--config", _configuration);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains(code, result.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Add_ToAConfigurationThatDoesNotLoad_IsRefusedWithItsDiagnostics()
    {
        var broken = Original.Replace("\"mode\": \"enforce\"", "\"mood\": \"enforce\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(_configuration, broken, TestContext.Current.CancellationToken);

        var result = await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("MW1001 /mood", result.Error, StringComparison.Ordinal);
        Assert.Contains("does not load; it was not changed", result.Error, StringComparison.Ordinal);
        Assert.Equal(broken, await File.ReadAllTextAsync(_configuration, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Add_MissingFile_IsRefusedWithoutCreatingIt()
    {
        var missing = Path.Combine(_directory, "missing.json");

        var result = await CliProcess.RunAsync("grant", "add", "ops", "--config", missing);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("cannot read", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Add_Replace_GivesANewKeyAndKeepsTheServersUnlessToldOtherwise()
    {
        var first = (await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration, "--servers", "files")).OutputLines[0];

        var rotated = await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration, "--replace");

        Assert.Equal(0, rotated.ExitCode);
        var second = rotated.OutputLines[0];
        Assert.NotEqual(first, second);
        var grant = Grants().GetProperty("ops");
        Assert.Equal(Sha256(second), grant.GetProperty("keySha256").GetString());
        Assert.Equal(["files"], grant.GetProperty("servers").EnumerateArray().Select(s => s.GetString()));

        Assert.Equal(0, (await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration, "--replace", "--servers", "payments,files")).ExitCode);
        Assert.Equal(["payments", "files"], Grants().GetProperty("ops").GetProperty("servers").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task List_PrintsNamesAndServers_NeverAHash()
    {
        Assert.Equal(0, (await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration, "--servers", "payments,files")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync("grant", "add", "reader", "--config", _configuration)).ExitCode);

        var result = await CliProcess.RunAsync("grant", "list", "--config", _configuration);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["ops: servers payments, files", "reader: every server"], result.OutputLines);
        Assert.DoesNotMatch("[0-9a-f]{64}", result.Output + result.Error);
    }

    [Fact]
    public async Task Remove_RemovesOnlyThatGrant_AndAnUnknownOneIsRefused()
    {
        Assert.Equal(0, (await CliProcess.RunAsync("grant", "add", "ops", "--config", _configuration)).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync("grant", "add", "reader", "--config", _configuration)).ExitCode);

        var removed = await CliProcess.RunAsync("grant", "remove", "ops", "--config", _configuration);
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal(["reader"], Grants().EnumerateObject().Select(p => p.Name));
        var before = await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken);

        var unknown = await CliProcess.RunAsync("grant", "remove", "ops", "--config", _configuration);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("has no grant \"ops\"", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken));

        var last = await CliProcess.RunAsync("grant", "remove", "reader", "--config", _configuration);
        Assert.Equal(0, last.ExitCode);
        Assert.Contains("that was the last grant", last.Error, StringComparison.Ordinal);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Add_KeepsTheFilesPermissions()
    {
        File.SetUnixFileMode(_configuration, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, GrantCommand.Add(_configuration, "ops", null, replace: false, _ => "set", output, error));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_configuration));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public void Add_ThroughASymbolicLink_ChangesTheFileAndKeepsTheLink()
    {
        var link = Path.Combine(_directory, "link.json");
        File.CreateSymbolicLink(link, _configuration);
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, GrantCommand.Add(link, "ops", null, replace: false, _ => "set", output, error));

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.True(Grants().TryGetProperty("ops", out _), error.ToString());
    }

    private JsonElement Grants() => JsonDocument.Parse(File.ReadAllText(_configuration)).RootElement.GetProperty("grants");

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
