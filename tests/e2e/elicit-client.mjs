// A client whose user answers the gateway's approval questions (MCP elicitation) as told on the command
// line, then makes one payment call and prints, as JSON, what it was asked and what the call returned.
// Usage: node elicit-client.mjs accept|decline|cancel (COMMAND [ARGS...] | --http URL [--key KEY])
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { transportFrom } from "./transport.mjs";

const [answer, ...target] = process.argv.slice(2);
const asked = [];
const client = new Client({ name: "mcpwarden-elicit", version: "1.0.0" }, { capabilities: { elicitation: {} } });
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  asked.push(request.params);
  return answer === "accept" ? { action: "accept", content: { approve: true } } : { action: answer };
});
await client.connect(transportFrom(target));

const result = await client.callTool(
  { name: "mpesa_stk_push", arguments: { phone: "254712345678", amount: 1500, account_reference: "INV-7" } },
  undefined,
  { timeout: 120000 });
console.log(JSON.stringify({ asked, result }));
await client.close();
