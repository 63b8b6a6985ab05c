// Chooses how the e2e clients reach the gateway: `--http URL [--key KEY]` for Streamable HTTP,
// otherwise the rest of the command line starts `mcpwarden stdio ...` as a child process.
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export function transportFrom(argv) {
  if (argv[0] === "--http") {
    const keyAt = argv.indexOf("--key");
    const headers = keyAt > 0 ? { Authorization: `Bearer ${argv[keyAt + 1]}` } : {};
    return new StreamableHTTPClientTransport(new URL(argv[1]), { requestInit: { headers } });
  }
  const [command, ...args] = argv;
  return new StdioClientTransport({ command, args, stderr: "inherit", env: { ...process.env } });
}
