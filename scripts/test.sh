#!/usr/bin/env bash
# Runs every test of the project on a fresh machine that has the .NET SDK, Node and npm: builds once,
# runs every test project, and ends with one total line. The tests read the official JSON Schema test
# suite from shared/ beside the repository, and drive real MCP peers installed from
# tests/e2e/package-lock.json.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The official JSON Schema test suite lives beside the repository, in shared/.
suite="${MCPWARDEN_JSON_SCHEMA_SUITE:-$root/../shared/data/json-schema-test-suite}"
if [ ! -d "$suite/tests" ]; then
  echo "test.sh: the JSON Schema test suite is not at $suite (set MCPWARDEN_JSON_SCHEMA_SUITE)" >&2
  exit 1
fi

# Real MCP peers (the official TypeScript SDK client, server-everything) and the MCP conformance suite
# with the Node 22 it needs, exactly as locked.
if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  npm ci --prefix tests/e2e --no-audit --no-fund
fi

# The browser tests of the web UI drive Debian's Chromium (never a downloaded browser): install it when missing.
apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo -n"
  fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
if [ -z "${MCPWARDEN_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing chromium for the browser tests"
  apt_install chromium
fi

# The Redis store's tests start their own redis-server processes (on free loopback ports, stopped by pid).
if [ -z "${MCPWARDEN_REDIS_SERVER:-}" ] && [ ! -x /usr/bin/redis-server ]; then
  echo "test.sh: installing redis-server for the shared-store tests"
  apt_install redis-server
fi

dotnet build McpWarden.slnx --configuration Release

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test McpWarden.slnx --configuration Release --no-build --filter "Run!=alone" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The load check and the soak each saturate both cores for a minute or more: beside the other tests they starved
# those tests' timeouts and measured the others' load, so they run in a pass of their own once the rest is done.
dotnet test tests/McpWarden.Tests --configuration Release --no-build --filter "Run=alone" 2>&1 | tee -a "$log"
performance=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && status=$performance
set -e

# dotnet test prints one summary per test assembly; add them up so the run ends with one line.
read -r passed failed skipped assemblies < <(
  sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\), Skipped: *\([0-9]*\),.*/\1 \2 \3/p' "$log" |
    awk '{ f += $1; p += $2; s += $3; n++ } END { printf "%d %d %d %d\n", p, f, s, n }')

echo
echo "Test assembly runs: $assemblies"
echo "Total: $passed passed, $failed failed, $skipped skipped"

if [ "$assemblies" -eq 0 ] || [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
