#!/usr/bin/env bash
# Runs McpWarden on the shipped sample: checks the sample configuration and policies, proves what the
# policies promise, then runs the gateway over stdio in front of a real MCP server (server-everything)
# and drives it with the official MCP client, printing what the agent saw.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ ! -d tests/e2e/node_modules ]; then
  npm ci --prefix tests/e2e --no-audit --no-fund
fi
dotnet build src/McpWarden --configuration Release --verbosity quiet -nologo
gateway="$root/src/McpWarden/bin/Release/net10.0/mcpwarden.dll"
mcpwarden() { dotnet "$gateway" "$@"; }

echo "== mcpwarden check samples"
mcpwarden check samples
echo "== mcpwarden test samples"
mcpwarden test samples
echo "== mcpwarden explain --policy samples/policies/everything.json --tool get-sum"
mcpwarden explain --policy samples/policies/everything.json --tool get-sum
echo "== an MCP client talking to server-everything through mcpwarden stdio"
node tests/e2e/stdio-client.mjs --summary dotnet "$gateway" stdio --config samples/mcpwarden.json 2>/dev/null
