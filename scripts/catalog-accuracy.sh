#!/usr/bin/env bash
# Measures the risk classifier against the labelled set (tests/catalog/labelled) and prints the report:
# accuracy, the category and risk confusion tables and every miss with its rationale.
# Usage: scripts/catalog-accuracy.sh [--no-build]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ "${1:-}" != "--no-build" ]]; then
  dotnet build tests/McpWarden.Catalog.Tests -c Release -v q -nologo >/dev/null
fi
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
# The test writes its report to this file as well as to its output, so the table prints whether it passes or not.
status=0
MCPWARDEN_ACCURACY_REPORT="$report" dotnet tests/McpWarden.Catalog.Tests/bin/Release/net10.0/McpWarden.Catalog.Tests.dll \
  -class McpWarden.Catalog.Tests.Classification.ClassifierAccuracyTests >/dev/null || status=$?
cat "$report"
if [[ $status -ne 0 ]]; then
  echo "catalog-accuracy: the accuracy tests FAILED (exit $status); run the class directly to see which assertion" >&2
fi
exit $status
