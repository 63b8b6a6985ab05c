#!/usr/bin/env bash
# The load harness: builds it (and with it mcpwarden and the fixture server) in Release, then runs it.
# Every argument goes to the harness, e.g.:
#   bench/load.sh --help
# See docs/benchmarks.md for what each command measures and the figures it produced.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/bench/McpWarden.Load" --configuration Release --nologo --verbosity quiet
exec dotnet "$root/bench/McpWarden.Load/bin/Release/net10.0/McpWarden.Load.dll" "$@"
