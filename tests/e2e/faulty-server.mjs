// A deliberately faulty MCP server (official TypeScript SDK) for the gateway's fault tests.
//   ok      answers at once
//   hang    never answers; when the call is cancelled it writes "cancelled" to $MARKER_FILE
//   crash   exits the process in the middle of the call
//   garbage writes a line that is not JSON-RPC to stdout, then answers
import { writeFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "faulty-server", version: "1.0.0" });
const text = (value) => ({ content: [{ type: "text", text: value }] });

server.registerTool("ok", { description: "Answers at once" }, async () => text("ok"));
server.registerTool("hang", { description: "Never answers" }, (extra) =>
  new Promise(() => {
    extra.signal.addEventListener("abort", () => writeFileSync(process.env.MARKER_FILE, "cancelled"));
  }));
server.registerTool("crash", { description: "Exits mid-call" }, async () => {
  setTimeout(() => process.exit(3), 50);
  return new Promise(() => {});
});
server.registerTool("garbage", { description: "Writes garbage to stdout, then answers" }, async () => {
  process.stdout.write("this is not JSON-RPC\n");
  return text("answered after garbage");
});

await server.connect(new StdioServerTransport());
