#!/usr/bin/env bash
# Runs McpWarden on the shipped samples: checks the sample policies and proves what they promise.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/McpWarden --configuration Release --verbosity quiet -nologo
mcpwarden() { dotnet src/McpWarden/bin/Release/net10.0/mcpwarden.dll "$@"; }

mcpwarden check samples/policies
mcpwarden test samples
mcpwarden explain --policy samples/policies/run-workflow.json --tool run_workflow --args '{"workflow_id":"wf_1"}'
