// A small latency harness: one MCP client over Streamable HTTP makes N tools/call one after another (after a
// warm-up) and prints the latency distribution as JSON. Usage: node calls.mjs URL TOOL ARGS_JSON N
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, tool, argsJson, countText] = process.argv.slice(2);
const count = Number(countText);
const client = new Client({ name: "mcpwarden-latency", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));

const call = async () => {
  const result = await client.callTool({ name: tool, arguments: JSON.parse(argsJson) });
  if (result.isError) throw new Error(`refused: ${JSON.stringify(result)}`);
};
for (let i = 0; i < 50; i++) await call();

const times = [];
for (let i = 0; i < count; i++) {
  const start = process.hrtime.bigint();
  await call();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
await client.close();
times.sort((a, b) => a - b);
const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
const mean = times.reduce((a, b) => a + b, 0) / times.length;
console.log(JSON.stringify({ calls: count, meanMs: +mean.toFixed(3), p50Ms: +at(0.5).toFixed(3), p95Ms: +at(0.95).toFixed(3), p99Ms: +at(0.99).toFixed(3) }));
