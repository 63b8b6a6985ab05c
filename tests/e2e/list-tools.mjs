// Starts an MCP server over stdio with the official TypeScript SDK client and prints, as JSON, what it says of
// itself and its tools exactly as listed (every page of tools/list): the catalogue's labelled set is captured
// with it, and a live test re-captures through it to prove the committed definitions are still true.
// Usage: node list-tools.mjs COMMAND [ARGS...]   (the server inherits this process's environment)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node list-tools.mjs COMMAND [ARGS...]");
  process.exit(2);
}

const client = new Client({ name: "mcpwarden-list-tools", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command, args, stderr: "ignore", env: { ...process.env } }));
const tools = [];
let cursor;
do {
  const page = await client.listTools(cursor === undefined ? {} : { cursor });
  tools.push(...page.tools);
  cursor = page.nextCursor;
} while (cursor !== undefined);
const report = { serverInfo: client.getServerVersion() ?? null, instructions: client.getInstructions() ?? null, tools };
await client.close();
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
