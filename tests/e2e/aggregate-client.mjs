// Drives McpWarden's aggregated session (several servers behind one endpoint, stdio or /mcp) with the official
// TypeScript SDK client, the way an agent would use it, and prints what it saw as JSON.
// Usage: node aggregate-client.mjs (COMMAND [ARGS...] | --http URL [--key KEY])
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { transportFrom } from "./transport.mjs";

const transport = transportFrom(process.argv.slice(2));
const client = new Client({ name: "mcpwarden-e2e-aggregate", version: "1.0.0" });
const report = {};

const outcome = async (call) => {
  try {
    return { result: await call() };
  } catch (error) {
    return { error: { code: error.code, message: error.message, data: error.data } };
  }
};

await client.connect(transport);
report.serverInfo = client.getServerVersion();
report.capabilities = client.getServerCapabilities();
report.instructions = client.getInstructions() ?? null;
report.tools = (await client.listTools()).tools.map((tool) => tool.name);

report.echo = await outcome(() => client.callTool({ name: "everything__echo", arguments: { message: "through the aggregate" } }));
report.hiddenSum = await outcome(() => client.callTool({ name: "everything__get-sum", arguments: { a: 1, b: 2 } }));
report.stkPush = await outcome(() => client.callTool({
  name: "daraja__daraja_stk_push",
  arguments: { amount: 10, phone_number: "254708374149", callback_url: "https://example.com/cb", account_reference: "ref", transaction_desc: "test" },
}));
report.b2c = await outcome(() => client.callTool({ name: "daraja__daraja_b2c_payment", arguments: { amount: 10 } }));
report.unknownServer = await outcome(() => client.callTool({ name: "nowhere__echo", arguments: {} }));

report.prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
report.prompt = await outcome(() => client.getPrompt({ name: "everything__simple-prompt" }));
const resources = (await client.listResources()).resources;
report.resources = resources.map((resource) => resource.uri);
report.resourceRead = await outcome(() => client.readResource({ uri: resources[0].uri }));
// Never listed, but produced by one of server-everything's templates.
report.templatedRead = await outcome(() => client.readResource({ uri: "demo://resource/dynamic/text/7" }));
report.setLevel = await outcome(() => client.setLoggingLevel("debug"));
report.ping = await outcome(() => client.ping());

await client.close();
process.stdout.write(JSON.stringify(report) + "\n");
