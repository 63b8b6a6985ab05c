#!/usr/bin/env bash
# The soak run: builds the harness (and with it mcpwarden and the fixture server) in Release, then runs it.
# Every argument goes to the harness, e.g.:
#   bench/soak.sh                                   # 30 minutes, 32 clients
#   bench/soak.sh --duration 60s --report soak.json # what CI runs
#   bench/soak.sh --help
# See docs/benchmarks.md (Soak) for what it does and reports, and when it fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/bench/McpWarden.Soak" --configuration Release --nologo --verbosity quiet
exec dotnet "$root/bench/McpWarden.Soak/bin/Release/net10.0/McpWarden.Soak.dll" "$@"
