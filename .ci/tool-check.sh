#!/usr/bin/env bash
# `phyr` as a .NET tool (issue 17): pack it, install it into a temporary tool path from that folder, and run it from a
# directory outside the repository — the shipped scenarios, experiments, validation cases and layouts travel inside.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet pack src/Host -c Release -o "$work/nupkg" -v q -nologo >/dev/null
dotnet tool install phyr --tool-path "$work/tools" --add-source "$work/nupkg" >/dev/null
mkdir "$work/outside"
cd "$work/outside"
phyr=("$work/tools/phyr")
"${phyr[@]}" --version
"${phyr[@]}" layout --pfns pagemap-anon-64m-seq.pfn | grep -q "16384 frames of 4K, 5737 physically contiguous runs"
"${phyr[@]}" run batch-sweep-small --out sweep >/dev/null 2>&1
test -s sweep/results.json -a -s sweep/report.md
"${phyr[@]}" gup-test -L -n 512 -m 64 | grep -q "PIN_LONGTERM_BENCHMARK: Time: get:"
echo "tool-check: phyr $("${phyr[@]}" --version) installed from its package and run outside the repository: layout, run batch-sweep-small, gup-test"
