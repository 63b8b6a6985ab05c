#!/usr/bin/env bash
# Takes the screenshots of the web UI that docs/ui.md shows (docs/screenshots/ui-*.png): the browser tour test,
# on a gateway with real traffic, writing its screenshots into docs/screenshots.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dotnet build tests/McpWarden.Tests --configuration Release
mkdir -p docs/screenshots
MCPWARDEN_UI_SCREENSHOTS="$root/docs/screenshots" \
  dotnet tests/McpWarden.Tests/bin/Release/net10.0/McpWarden.Tests.dll -class McpWarden.Tests.Ui.UiScreenshotTour
