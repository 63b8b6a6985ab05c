// Runs a stdio MCP server and records every line it receives on stdin, so a test can prove from the
// server's side what the gateway let through. Usage: node record-stdin.mjs RECORD_FILE COMMAND [ARGS...]
import { appendFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const [record, command, ...args] = process.argv.slice(2);
const server = spawn(command, args, { stdio: ["pipe", "inherit", "inherit"] });
createInterface({ input: process.stdin }).on("line", (line) => {
  appendFileSync(record, line + "\n");
  server.stdin.write(line + "\n");
}).on("close", () => server.stdin.end());
server.on("exit", (code) => process.exit(code ?? 1));
