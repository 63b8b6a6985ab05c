// The quickest stdio MCP server there is, for timing mcpwarden stdio's own start: no SDK, nothing loaded but
// Node's readline. It answers initialize at once (echoing the client's protocol revision), lists one tool, and
// answers any other request with an empty result. Not a conformant server; only what the start-up run sends.
import { createInterface } from "node:readline";

const tool = { name: "echo", description: "Answers with its text.", inputSchema: { type: "object", properties: { text: { type: "string" } } }, annotations: { readOnlyHint: true } };
const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line);
  if (message.id === undefined) {
    continue;
  }

  switch (message.method) {
    case "initialize":
      send({ jsonrpc: "2.0", id: message.id, result: { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "instant", version: "1" } } });
      break;
    case "tools/list":
      send({ jsonrpc: "2.0", id: message.id, result: { tools: [tool] } });
      break;
    default:
      send({ jsonrpc: "2.0", id: message.id, result: {} });
  }
}
