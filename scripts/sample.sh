#!/usr/bin/env bash
# Runs McpWarden on the shipped sample: checks the sample configuration and policies, proves what the
# policies promise, then serves the sample configuration over Streamable HTTP (mcpwarden serve) in front of
# two real MCP servers that need no network, drives it with the official MCP client, prints what the agent
# saw, and keeps serving until Ctrl+C. `scripts/sample.sh --once` stops after the demonstration.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
url=${MCPWARDEN_URL:-http://127.0.0.1:8787}

if [ ! -d tests/e2e/node_modules ]; then
  npm ci --prefix tests/e2e --no-audit --no-fund
fi
dotnet build src/McpWarden --configuration Release --verbosity quiet -nologo
dotnet build tests/McpWarden.Fixture --configuration Release --verbosity quiet -nologo
gateway="$root/src/McpWarden/bin/Release/net10.0/mcpwarden.dll"
mcpwarden() { dotnet "$gateway" "$@"; }

echo "== mcpwarden check samples"
mcpwarden check samples
echo "== mcpwarden test samples"
mcpwarden test samples
echo "== mcpwarden explain --policy samples/policies/payments.json --tool mpesa_stk_push --args '{\"amount\": 9000}'"
mcpwarden explain --policy samples/policies/payments.json --tool mpesa_stk_push --args '{"amount": 9000}'

# The web UI needs an admin token. The committed sample holds none: a copy of it beside it
# (samples/mcpwarden.local.json, ignored by git) gets a fresh one on every run.
config=samples/mcpwarden.local.json
cp samples/mcpwarden.json "$config"
admin_token=$(mcpwarden admin token --config "$config" 2>/dev/null)

echo "== mcpwarden serve --config $config --urls $url   ($config is samples/mcpwarden.json with an admin token)"
log=$(mktemp)
mcpwarden serve --config "$config" --urls "$url" > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q "^listening on" "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 2; }
  sleep 0.1
done
grep "^listening on" "$log"

echo "== an MCP client (the official TypeScript SDK) on $url/mcp/payments"
node tests/e2e/demo-client.mjs --http "$url/mcp/payments"

if [ "${1:-}" = "--once" ]; then
  exit 0
fi
cat <<TEXT
== the gateway keeps serving; press Ctrl+C to stop
   one server:   $url/mcp/payments   $url/mcp/everything
   all servers:  $url/mcp   (tools named {server}__{tool})
   health:       $url/healthz
   web UI:       $url/ui   admin token: $admin_token   (a new one each run)
                 saving a policy there edits samples/policies/*.json; git checkout samples/ undoes it
   state:        samples/mcpwarden.db (budgets, approvals, audit; they carry over to the next run:
                 mcpwarden audit --config $config; delete the file to start afresh)
TEXT
tail -n +1 -f "$log" &
wait "$server"
