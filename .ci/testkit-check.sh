#!/usr/bin/env bash
# The test kit as a package with its template (issue 17): pack Phyr.Domain, Phyr.Actors, Phyr.TestKit and
# Phyr.Templates into a folder, install the template into a private template hive, instantiate `dotnet new phyr-suite`
# outside the repository, and run its tests against the packed kit (that folder as a NuGet source).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for p in src/Domain src/Actors src/TestKit templates/Phyr.Templates.csproj; do
  dotnet pack "$p" -c Release -o "$work/nupkg" -v q -nologo >/dev/null
done
dotnet new install "$work/nupkg/Phyr.Templates.0.1.0.nupkg" --debug:custom-hive "$work/hive" >/dev/null
dotnet new phyr-suite -o "$work/suite/MySuite" --debug:custom-hive "$work/hive" >/dev/null
cat > "$work/suite/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="phyr" value="$work/nupkg" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG
# A private package cache: what a user's machine would restore, not this repository's build.
export NUGET_PACKAGES="$work/packages"
out=$(cd "$work/suite/MySuite" && dotnet test 2>&1) || { echo "$out" >&2; echo "testkit-check: the template's suite failed" >&2; exit 1; }
echo "$out" | grep -E '^(Passed|Failed)!' | sed 's/^/testkit-check: /'
echo "$out" | grep -qE '^Passed!.*Passed: +[1-9]' || { echo "testkit-check: no test passed" >&2; exit 1; }
