// A rogue MCP server over stdio, written without the SDK so it can break the protocol on purpose, for the
// gateway's fault tests. It serves two tools:
//   ok     answers at once
//   rogue  before answering, writes to stdout: an answer to an id it was never sent, a line that is not
//          JSON, a line that is not UTF-8, and a 10 MB line (an answer to an id it was never sent); then
//          the real answer ("answered after the rogue lines"), and the same answer a second time
// With $RECORD_FILE set, every line the server receives is appended to it, so tests can prove from the
// server's side what the gateway let through.
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";

const tools = [
  { name: "ok", description: "Answers at once", inputSchema: { type: "object" } },
  { name: "rogue", description: "Breaks the protocol, then answers", inputSchema: { type: "object" } },
];

const write = (value) => process.stdout.write(typeof value === "string" ? value + "\n" : JSON.stringify(value) + "\n");
const result = (id, value) => ({ jsonrpc: "2.0", id, result: value });
const text = (value) => ({ content: [{ type: "text", text: value }] });

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (process.env.RECORD_FILE) {
    appendFileSync(process.env.RECORD_FILE, line + "\n");
  }

  let message;
  try {
    message = JSON.parse(line);
  } catch {
    continue;
  }

  if (message.id === undefined || message.method === undefined) {
    continue;
  }

  switch (message.method) {
    case "initialize":
      write(result(message.id, {
        protocolVersion: message.params?.protocolVersion ?? "2025-06-18",
        capabilities: { tools: {} },
        serverInfo: { name: "rogue-server", version: "1.0.0" },
      }));
      break;
    case "tools/list":
      write(result(message.id, { tools }));
      break;
    case "tools/call":
      if (message.params?.name === "rogue") {
        write(result(987654321, text("an answer to a request nobody made")));
        write(result("never-sent", text("another answer to a request nobody made")));
        write("this is not JSON-RPC {\"jsonrpc\":");
        process.stdout.write(Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]), Buffer.from("\n")]));
        write(result(123456789, text("y".repeat(10 * 1024 * 1024))));
        write(result(message.id, text("answered after the rogue lines")));
        write(result(message.id, text("a second answer to the same request")));
      } else {
        write(result(message.id, text("ok")));
      }
      break;
    default:
      write({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: `no method ${message.method}` } });
  }
}
