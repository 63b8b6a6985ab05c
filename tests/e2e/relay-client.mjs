// Drives McpWarden (over stdio or Streamable HTTP) with the official TypeScript SDK client, exercising everything the gateway
// must relay untouched: server-to-client requests (sampling, elicitation, roots), progress, cancellation,
// logging, resources, prompts, and tools that appear only after initialize. Prints what it saw as JSON.
// Usage: node relay-client.mjs (COMMAND [ARGS...] | --http URL [--key KEY])
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { transportFrom } from "./transport.mjs";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const transport = transportFrom(process.argv.slice(2));
const client = new Client(
  { name: "mcpwarden-e2e-relay", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
);
const report = { samplingPrompts: [], elicitations: 0, rootsRequests: 0, logLevels: [], listChanged: 0 };

client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  report.samplingPrompts.push(request.params.messages[0].content.text);
  return { role: "assistant", content: { type: "text", text: "sampled by the client" }, model: "e2e" };
});
client.setRequestHandler(ElicitRequestSchema, async () => {
  report.elicitations++;
  return { action: "decline" };
});
client.setRequestHandler(ListRootsRequestSchema, async () => {
  report.rootsRequests++;
  return { roots: [{ uri: "file:///tmp/e2e-root", name: "e2e-root" }] };
});
client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => report.logLevels.push(notification.params.level));
client.setNotificationHandler(ToolListChangedNotificationSchema, () => report.listChanged++);

const text = (result) => (result.content ?? []).filter((block) => block.type === "text").map((block) => block.text).join("\n");
const outcome = async (call) => {
  try {
    return { result: await call() };
  } catch (error) {
    return { error: { code: error.code, name: error.name, message: error.message } };
  }
};

await client.connect(transport);

// Tools that depend on the client's capabilities are registered after initialize, announced by list_changed.
let tools = [];
for (let attempt = 0; attempt < 50; attempt++) {
  tools = (await client.listTools()).tools.map((tool) => tool.name);
  if (tools.includes("trigger-sampling-request") && tools.includes("get-roots-list")) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
report.tools = tools;

report.sampling = text(await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "relay me", maxTokens: 10 } }));
report.elicitation = text(await client.callTool({ name: "trigger-elicitation-request", arguments: {} }));
report.roots = text(await client.callTool({ name: "get-roots-list", arguments: {} }));

const progress = [];
report.longRunning = text(await client.callTool(
  { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } },
  undefined,
  { onprogress: (update) => progress.push(update.progress) },
));
report.progress = progress;

const abort = new AbortController();
setTimeout(() => abort.abort("the test cancels"), 300);
report.cancelled = await outcome(() => client.callTool(
  { name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 } },
  undefined,
  { signal: abort.signal },
));

report.setLevel = await outcome(() => client.setLoggingLevel("debug"));
const resources = (await client.listResources()).resources;
report.resourceCount = resources.length;
report.resourceRead = (await client.readResource({ uri: resources[0].uri })).contents.length;
report.prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
report.prompt = (await client.getPrompt({ name: "simple-prompt" })).messages.length;
report.environment = text(await client.callTool({ name: "get-env", arguments: {} }));
report.deniedImage = await client.callTool({ name: "get-tiny-image", arguments: {} });
report.pingAfterAll = await outcome(() => client.ping());

await client.close();
process.stdout.write(JSON.stringify(report) + "\n");
