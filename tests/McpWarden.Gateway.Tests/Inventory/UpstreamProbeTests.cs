using System.Text.Json;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Inventory;
using McpWarden.Gateway.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace McpWarden.Gateway.Tests.Inventory;

/// <summary>
/// The probe against a scripted stdio server (Node, line-delimited JSON-RPC): it pages tools/list, asks the
/// client for a ping before the first page, and records what the client sent in initialize.
/// </summary>
public sealed class UpstreamProbeTests : IDisposable
{
    private const string Script = """
        const fs = require('fs');
        const [mode, record] = process.argv.slice(1);
        const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
        let held = null;
        const page = (m) => {
          if (mode === 'error') { send({ jsonrpc: '2.0', id: m.id, error: { code: -32603, message: 'tools are down' } }); return; }
          const n = m.params && m.params.cursor ? Number(m.params.cursor) : 0;
          const result = { tools: [ { name: `tool_${n}a`, inputSchema: { type: 'object' } }, { name: `tool_${n}b`, inputSchema: { type: 'object' } } ] };
          if (n < 2) result.nextCursor = String(n + 1);
          send({ jsonrpc: '2.0', id: m.id, result });
        };
        require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
          const m = JSON.parse(line);
          fs.appendFileSync(record, line + '\n');
          if (m.method === 'initialize') {
            if (mode === 'mute') return;
            send({ jsonrpc: '2.0', id: m.id, result: {
              protocolVersion: mode === 'future' ? '2099-01-01' : '2025-06-18', capabilities: { tools: {} },
              serverInfo: { name: 'paged', title: 'Paged server', version: '3.1' }, instructions: 'Use the tools kindly' } });
          } else if (m.method === 'tools/list' && held === null) {
            held = m;
            send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'listing' } });
            send({ jsonrpc: '2.0', id: 'server-ping', method: 'ping' });
          } else if (m.method === 'tools/list') {
            page(m);
          } else if (m.id === 'server-ping' && m.result) {
            page(held);
          }
        });
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-probe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Record => Path.Combine(_directory, "received.jsonl");

    [Fact]
    public async Task Probe_ReadsEveryPage_AnswersTheServersPing_AndIntroducesItselfAsMcpwarden()
    {
        var probed = await ProbeAsync("ok");

        Assert.Null(probed.Error);
        Assert.Equal("2025-06-18", probed.ProtocolVersion);
        Assert.Equal(("paged", "Paged server", "3.1", "Use the tools kindly"), (probed.Context!.InfoName, probed.Context.InfoTitle, probed.Context.InfoVersion, probed.Context.Instructions));
        Assert.Equal(3, probed.Pages.Count);
        Assert.Equal(["tool_0a", "tool_0b", "tool_1a", "tool_1b", "tool_2a", "tool_2b"], InventoryAssembler.ToolsOf(probed.Pages).Select(t => t.Name));
        Assert.False(probed.Truncated);

        var received = File.ReadAllLines(Record).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var initialize = received[0].GetProperty("params");
        Assert.Equal("mcpwarden", initialize.GetProperty("clientInfo").GetProperty("name").GetString());
        Assert.Equal("2025-11-25", initialize.GetProperty("protocolVersion").GetString());
        Assert.Equal("notifications/initialized", received[1].GetProperty("method").GetString());
        Assert.DoesNotContain(received, m => m.TryGetProperty("method", out var method) && method.GetString() == "tools/call");
    }

    [Fact]
    public async Task Probe_OfAServerThatAnswersWithAnError_ReportsIt()
    {
        var probed = await ProbeAsync("error");

        Assert.Equal("probed answered tools/list with an error: tools are down", probed.Error);
        Assert.Empty(probed.Pages);
    }

    [Fact]
    public async Task Probe_OfAServerOnARevisionTheGatewayDoesNotRelay_ReportsIt()
    {
        var probed = await ProbeAsync("future");

        Assert.Equal("probed chose protocol version \"2099-01-01\", which this gateway does not relay", probed.Error);
    }

    [Fact]
    public async Task Probe_OfAServerThatNeverAnswers_ReportsTheTimeout()
    {
        var probed = await ProbeAsync("mute", TimeSpan.FromSeconds(1));

        Assert.Equal("probed did not answer initialize within 1s", probed.Error);
    }

    private async Task<ProbedServer> ProbeAsync(string mode, TimeSpan? timeout = null)
    {
        var server = InventoryAssemblerTests.Server("probed", """{ "version": "1", "default": "deny", "tools": {} }""") with
        {
            Upstream = new StdioUpstreamDefinition("node", ["-e", Script, mode, Record], new Dictionary<string, string>(), _directory),
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(20),
        };
        using var transports = new UpstreamTransportFactory(Environment.GetEnvironmentVariable, NullLoggerFactory.Instance);
        var probe = new UpstreamProbe(transports, TimeProvider.System);
        return await probe.ProbeAsync(server, TestContext.Current.CancellationToken);
    }
}
