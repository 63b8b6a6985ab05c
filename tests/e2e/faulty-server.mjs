// A deliberately faulty MCP server (official TypeScript SDK) for the gateway's fault tests.
//   ok      answers at once
//   hang    never answers; when the call is cancelled it writes "cancelled" to $MARKER_FILE
//   crash   exits the process in the middle of the call
//   garbage writes a line that is not JSON-RPC to stdout, then answers
//   secret  answers at once (policies hide it: the record proves no call to it arrived)
//   grow    adds a tool named by its "name" argument (taking an integer "n"); with "silently": true the
//           client is not told, otherwise notifications/tools/list_changed goes out before the answer
//   flood   sends $FLOOD_COUNT notifications (default 1000) as fast as stdout takes them, each carrying
//           $FLOOD_BYTES characters of padding (default 1000): notifications/progress when the call has a
//           progress token, else notifications/message; then appends N to $FLOOD_DONE_FILE (when set) and
//           answers "flooded N"
// With $RECORD_FILE set, every message the server receives is appended to it as one JSON line, so tests can
// prove from the server's side what the gateway let through.
import { appendFileSync, writeFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "faulty-server", version: "1.0.0" }, { capabilities: { logging: {} } });
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
server.registerTool("secret", { description: "Must never be reached through a policy that hides it" }, async () => text("the secret"));
server.registerTool("garbage", { description: "Writes garbage to stdout, then answers" }, async () => {
  process.stdout.write("this is not JSON-RPC\n");
  return text("answered after garbage");
});

server.registerTool(
  "grow",
  { description: "Adds a tool at runtime", inputSchema: { name: z.string(), silently: z.boolean().optional() } },
  async ({ name, silently }) => {
    const announce = server.sendToolListChanged;
    if (silently) server.sendToolListChanged = () => {};
    server.registerTool(name, { description: "Added at runtime", inputSchema: { n: z.number().int() } }, async ({ n }) => text(`${name} ran with ${n}`));
    server.sendToolListChanged = announce;
    return text(`added ${name}`);
  });

server.registerTool("flood", { description: "Sends many notifications fast, then answers" }, async (extra) => {
  const count = Number(process.env.FLOOD_COUNT ?? 1000);
  const padding = "x".repeat(Number(process.env.FLOOD_BYTES ?? 1000));
  const token = extra._meta?.progressToken;
  for (let i = 0; i < count; i++) {
    if (token !== undefined) {
      await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: i, total: count, message: padding } });
    } else {
      await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: padding } });
    }
  }
  if (process.env.FLOOD_DONE_FILE) {
    appendFileSync(process.env.FLOOD_DONE_FILE, `${count}\n`);
  }
  return text(`flooded ${count}`);
});

const transport = new StdioServerTransport();
await server.connect(transport);
if (process.env.RECORD_FILE) {
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    appendFileSync(process.env.RECORD_FILE, JSON.stringify(message) + "\n");
    deliver?.(message, extra);
  };
}
