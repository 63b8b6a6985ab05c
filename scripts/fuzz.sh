#!/usr/bin/env bash
# Runs the property-based fuzzing project at full size (over 100,000 generated cases across its targets)
# and prints what each target did: cases, accepted, refused, seconds, slowest case. CI runs the same
# project at a small size through test.sh.
#   MCPWARDEN_FUZZ_CASES  cases per target (default 25000; the costlier targets run a fraction of it)
#   MCPWARDEN_FUZZ_SEED   replays a run (default: a new seed, printed)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MCPWARDEN_FUZZ_CASES="${MCPWARDEN_FUZZ_CASES:-25000}"
export MCPWARDEN_FUZZ_SEED="${MCPWARDEN_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"

report=$(mktemp)
trap 'rm -f "$report"' EXIT
export MCPWARDEN_FUZZ_REPORT="$report"

dotnet build tests/McpWarden.Fuzzing.Tests --configuration Release

echo "fuzz.sh: MCPWARDEN_FUZZ_CASES=$MCPWARDEN_FUZZ_CASES MCPWARDEN_FUZZ_SEED=$MCPWARDEN_FUZZ_SEED"
start=$(date +%s)
set +e
dotnet tests/McpWarden.Fuzzing.Tests/bin/Release/net10.0/McpWarden.Fuzzing.Tests.dll -trait "Security=fuzzing"
status=$?
set -e
elapsed=$(( $(date +%s) - start ))

echo
printf '%-30s %9s %9s %9s %9s %12s\n' target cases accepted refused seconds "slowest ms"
sort "$report" | awk -F'\t' '{ printf "%-30s %9d %9d %9d %9.1f %12.1f\n", $1, $2, $3, $4, $5, $6; n += $2 }
  END { printf "%-30s %9d\n", "total", n }'
echo "wall time: ${elapsed}s; replay with MCPWARDEN_FUZZ_SEED=$MCPWARDEN_FUZZ_SEED MCPWARDEN_FUZZ_CASES=$MCPWARDEN_FUZZ_CASES"
exit "$status"
