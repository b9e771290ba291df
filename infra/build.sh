#!/usr/bin/env bash
# Builds and lints the Bicep templates offline, as CI does: the Bicep CLI comes from NuGet
# (infra/tools/bicep-cli.csproj), and any warning or error fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet restore infra/tools/bicep-cli.csproj --nologo --verbosity quiet
bicep=$(dotnet msbuild infra/tools/bicep-cli.csproj -nologo -getProperty:BicepPath)
[ -x "$bicep" ] || chmod +x "$bicep"   # NuGet does not keep the execute bit

diagnostics=$(mktemp)
trap 'rm -f "$diagnostics"' EXIT
status=0
# Bicep writes diagnostics to stderr and exits 0 on warnings, so the output decides.
"$bicep" build infra/main.bicep --stdout >/dev/null 2>"$diagnostics" || status=1
"$bicep" lint infra/main.bicep >>"$diagnostics" 2>&1 || status=1
# Each deployment variant (public, private networking) checked against the template's parameters.
for variant in infra/variants/*.bicepparam; do
  "$bicep" build-params "$variant" --stdout >/dev/null 2>>"$diagnostics" || status=1
  "$bicep" lint "$variant" >>"$diagnostics" 2>&1 || status=1
done
if [ "$status" -ne 0 ] || grep -qE 'Warning|Error' "$diagnostics"; then
  sort -u "$diagnostics" >&2
  echo "infra/build.sh: Bicep build/lint reported problems (see above)." >&2
  exit 1
fi
echo "infra/build.sh: infra/main.bicep and its variants (infra/variants) build and lint clean."
