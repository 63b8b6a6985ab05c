#!/usr/bin/env bash
# Runs the security suite (every test with the `Security` trait: hostile input, bypass attempts, fuzzing,
# faults, soak) from a Release build and prints the results table that docs/security.md carries.
# Run scripts/test.sh (or `dotnet build McpWarden.slnx -c Release` after `npm ci --prefix tests/e2e`) first.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

for assembly in tests/*/bin/Release/net10.0/McpWarden.*Tests.dll; do
  name=$(basename "$assembly" .dll)
  # -ignoreFailures: a failure is reported in the table, and makes this script fail at the end.
  dotnet "$assembly" -trait "Security=*" -noLogo -reporter quiet -ignoreFailures -xml "$results/$name.xml" >/dev/null
done

node scripts/security-report.mjs "$results"/*.xml
