// What an agent sees through McpWarden, in sentences: the sample's payments server behind its policy.
// Usage: node demo-client.mjs (COMMAND [ARGS...] | --http URL [--key KEY])
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { transportFrom } from "./transport.mjs";

const client = new Client({ name: "mcpwarden-demo", version: "1.0.0" });
await client.connect(transportFrom(process.argv.slice(2)));

const said = async (name, args) => {
  try {
    const result = await client.callTool({ name, arguments: args });
    const policy = result._meta?.["mcpwarden/policy"];
    return policy ? `refused (${policy.code}): ${policy.message}` : `answered: ${result.content?.[0]?.text ?? "ok"}`;
  } catch (error) {
    return `error ${error.code}: ${error.message}`;
  }
};

console.log(`connected to ${client.getServerVersion().name} through the gateway`);
console.log(`tools the agent sees: ${(await client.listTools()).tools.map((tool) => tool.name).join(", ")}`);
console.log(`get_balance: ${await said("get_balance", { account: "utility" })}`);
const runs = [];
for (let i = 1; i <= 11; i++) runs.push(await said("run_workflow", { workflow_id: "kyc-check", inputs: { applicant: `A-${i}` } }));
console.log(`run_workflow, ten calls: ${runs.slice(0, 10).every((line) => line.startsWith("answered")) ? "all answered" : runs.slice(0, 10).join(" | ")}`);
console.log(`run_workflow, the eleventh in a minute: ${runs[10]}`);
const push = (amount) => ({ phone: "254708374149", amount, account_reference: "INV-1042" });
console.log(`mpesa_stk_push of KES 1,500: ${await said("mpesa_stk_push", push(1500))}`);
console.log(`mpesa_stk_push of KES 9,000: ${await said("mpesa_stk_push", push(9000))}`);
console.log(`b2c_payment (hidden): ${await said("b2c_payment", { amount: 100, phone: "254708374149" })}`);
console.log(`delete_records: ${await said("delete_records", { table: "customers", ids: ["42"] })}`);
console.log(`a tool the server does not have: ${await said("wire_transfer", {})}`);
await client.close();
