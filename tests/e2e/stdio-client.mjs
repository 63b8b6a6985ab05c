// Drives McpWarden over stdio with the official TypeScript SDK client and prints what it saw as JSON.
// Usage: node stdio-client.mjs COMMAND [ARGS...]   (the command that starts `mcpwarden stdio ...`)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, stderr: "inherit" });
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
process.stdout.write(JSON.stringify(report) + "\n");
