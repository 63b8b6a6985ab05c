// Drives McpWarden (over stdio or Streamable HTTP) with the official TypeScript SDK client and prints what it saw as JSON
// (or, with --summary first, as sentences for a person).
// Usage: node stdio-client.mjs [--summary] (COMMAND [ARGS...] | --http URL [--key KEY])
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { transportFrom } from "./transport.mjs";

const argv = process.argv.slice(2);
const summary = argv[0] === "--summary";
const transport = transportFrom(summary ? argv.slice(1) : argv);
const client = new Client({ name: "mcpwarden-e2e", version: "1.0.0" });
const report = {};

const outcome = async (call) => {
  try {
    const result = await call();
    return { result };
  } catch (error) {
    return { error: { code: error.code, message: error.message, data: error.data } };
  }
};

await client.connect(transport);
report.serverInfo = client.getServerVersion();
report.tools = (await client.listTools()).tools.map((tool) => tool.name);
report.echo = [];
for (let i = 0; i < 4; i++) {
  report.echo.push(await outcome(() => client.callTool({ name: "echo", arguments: { message: `hello ${i}` } })));
}
report.hidden = await outcome(() => client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } }));
report.unknown = await outcome(() => client.callTool({ name: "no-such-tool", arguments: {} }));
report.badArguments = await outcome(() => client.callTool({ name: "echo", arguments: { message: 42 } }));
report.ping = await outcome(() => client.ping());
await client.close();
if (!summary) {
  process.stdout.write(JSON.stringify(report) + "\n");
} else {
  const said = (outcome) => outcome.error
    ? `error ${outcome.error.code}: ${outcome.error.message}`
    : outcome.result.isError
      ? `refused (${outcome.result._meta?.["mcpwarden/policy"]?.code}): ${outcome.result.content[0].text}`
      : `answered: ${outcome.result.content?.[0]?.text ?? "ok"}`;
  console.log(`connected to ${report.serverInfo.name} through the gateway`);
  console.log(`tools the agent sees: ${report.tools.join(", ")}`);
  report.echo.forEach((outcome, i) => console.log(`echo call ${i + 1}: ${said(outcome)}`));
  console.log(`get-sum (hidden): ${said(report.hidden)}`);
  console.log(`a tool the server does not have: ${said(report.unknown)}`);
  console.log(`echo with a number for its message: ${said(report.badArguments)}`);
}
