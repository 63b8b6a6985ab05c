#!/usr/bin/env bash
# What the durable store adds to one tool call, end to end: the real `mcpwarden serve` in front of the fixture
# server, one client making calls one after another, with the state in memory (--ephemeral), in the SQLite file
# (synchronous=normal, the default) and with synchronous=full. Every call is admitted: it consumes a unit of a
# grant budget and writes its audit record before it is forwarded. Prints one JSON line per store.
# Usage: bench/latency/durability.sh [CALLS]   (build first: dotnet build McpWarden.slnx -c Release)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
calls=${1:-2000}
bin="$root/tests/McpWarden.Tests/bin/Release/net10.0"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT


run() {
  local name=$1 flags=$2 store=$3
  mkdir -p "$work/$name"
  cat > "$work/$name/mcpwarden.json" <<JSON
{ "mcpServers": { "payments": { "command": "dotnet", "args": ["$bin/mcpwarden-fixture.dll", "stdio"],
    "policy": { "version": "1", "default": "deny", "tools": {
      "run_workflow": { "limits": [ { "counter": "runs", "window": "day", "max": 1000000 } ] } } } } },
  "store": $store }
JSON
  dotnet "$bin/mcpwarden.dll" serve --config "$work/$name/mcpwarden.json" --urls http://127.0.0.1:0 $flags > "$work/$name/out" 2> "$work/$name/log" &
  local pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/$name/out" && break; sleep 0.1; done
  local url; url=$(sed -n 's/^listening on //p' "$work/$name/out" | head -1)
  printf '{"store":"%s",' "$name"
  (node "$root/tests/e2e/latency-client.mjs" "$url/mcp/payments" run_workflow '{"workflow_id":"kyc"}' "$calls") | sed 's/^{//'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run memory "--ephemeral" '{ "path": "mcpwarden.db" }'
run sqlite "" '{ "path": "mcpwarden.db" }'
run sqlite-full "" '{ "path": "mcpwarden.db", "synchronous": "full" }'
