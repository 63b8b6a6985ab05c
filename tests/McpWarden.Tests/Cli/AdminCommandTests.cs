using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Cli;

/// <summary><c>mcpwarden admin token</c> as a real process.</summary>
public sealed class AdminCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-admin-").FullName;
    private readonly string _configuration;

    public AdminCommandTests()
    {
        _configuration = Path.Combine(_directory, "mcpwarden.json");
        File.WriteAllText(_configuration, """
            { "mcpServers": { "s": { "command": "server", "policy": { "version": "1" } } },
              "grants": { "ops": { "keySha256": "0000000000000000000000000000000000000000000000000000000000000000" } },
              "store": { "path": "mcpwarden.db" } }
            """);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Token_PrintsTheTokenOnceAndWritesOnlyItsHash_AfterTheGrants()
    {
        var result = await CliProcess.RunAsync("admin", "token", "--config", _configuration);

        Assert.Equal(0, result.ExitCode);
        var token = result.OutputLines[0];
        Assert.Matches("^mcpwadmin_[A-Za-z0-9_-]{43}$", token);
        Assert.Contains("will not be shown again", result.OutputLines[1], StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(_configuration, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["mcpServers", "grants", "admin", "store"], root.EnumerateObject().Select(p => p.Name));
        var admin = root.GetProperty("admin");
        Assert.Equal(["tokenSha256"], admin.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), admin.GetProperty("tokenSha256").GetString());
    }

    [Fact]
    public async Task Token_WhenOneExists_IsRefusedUnlessReplaced()
    {
        var first = (await CliProcess.RunAsync("admin", "token", "--config", _configuration)).OutputLines[0];
        var before = await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken);

        var refused = await CliProcess.RunAsync("admin", "token", "--config", _configuration);
        Assert.Equal(1, refused.ExitCode);
        Assert.Empty(refused.Output);
        Assert.Contains("already has an admin token; --replace", refused.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_configuration, TestContext.Current.CancellationToken));

        var replaced = await CliProcess.RunAsync("admin", "token", "--config", _configuration, "--replace");
        Assert.Equal(0, replaced.ExitCode);
        Assert.NotEqual(first, replaced.OutputLines[0]);
    }
}
