#!/usr/bin/env bash
# Checks that a refactor changed no result: runs every shipped scenario and experiment, `phyr run calibration`,
# gup-test and `phyr layout` on two versions of Phyr (a git ref, default origin/main or main, and the
# working tree), and compares their results.json less the `host` figures (which vary run to run).
#   scripts/same-results.sh [BASE_REF]        compare BASE_REF with the working tree
#   scripts/same-results.sh --collect DIR     run the working tree's build only, writing its outputs to DIR
# Exits 1 and prints a diff when any output differs. Takes about 2 x 5 minutes on 2 cores (Release builds);
# run it alone on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Every output of one build, host figures stripped, into $2 (one file per run).
collect() {
  local src=$1 out=$2
  mkdir -p "$out"
  local built; built=$(dotnet build -c Release "$src/src/Host/Phyr.Host.csproj" -v q -nologo 2>&1) || { echo "$built" >&2; return 1; }
  local phyr=(dotnet "$src/src/Host/bin/Release/net10.0/phyr.dll")
  local work; work=$(mktemp -d)
  strip() { jq 'del(.host)' "$1"; }
  for f in "$root"/config/scenarios/*.conf; do
    local n; n=$(basename "$f" .conf)
    (cd "$src" && "${phyr[@]}" run "config/scenarios/$n.conf" --out "$work/$n" --parallelism 2 >/dev/null)
    strip "$work/$n/results.json" > "$out/scenario-$n.json"
  done
  for f in "$root"/config/experiments/*.conf; do
    local n; n=$(basename "$f" .conf)
    (cd "$src" && "${phyr[@]}" run "config/experiments/$n.conf" --out "$work/$n" --parallelism 2 >/dev/null 2>&1)
    strip "$work/$n/results.json" > "$out/experiment-$n.json"
    cp "$work/$n/results.csv" "$out/experiment-$n.csv"
    # report.md is made from the same points: it must not change either.
    cp "$work/$n/report.md" "$out/experiment-$n.report.md"
  done
  (cd "$src" && "${phyr[@]}" run calibration --format json > "$out/calibration.json") || true
  (cd "$src" && "${phyr[@]}" gup-test -L -n 512 -m 8192 -T --format json > "$out/gup-test-L.json")
  (cd "$src" && "${phyr[@]}" gup-test -a -n 512 -m 256 -t -j 4 --format json > "$out/gup-test-a-thp-j4.json")
  (cd "$src" && "${phyr[@]}" gup-test -u -n 64 -m 2048 -H --hugepage-size 1G --format json > "$out/gup-test-u-hugetlb.json")
  (cd "$src" && "${phyr[@]}" gup-test --list-features > "$out/gup-test-features.txt")
  # What users read on the terminal too: gup_test's lines, a scenario's table (less its host line), calibration's
  # table, a layout's formats.
  (cd "$src" && "${phyr[@]}" gup-test -L -n 512 -m 1024 -T > "$out/gup-test-L.txt")
  (cd "$src" && "${phyr[@]}" run config/scenarios/gup-phyrs-1g-4k-b16.conf --out "$work/table" | grep -v '^host:\|^wrote ' > "$out/run-table.txt")
  (cd "$src" && "${phyr[@]}" run calibration > "$out/calibration.txt") || true
  (cd "$src" && "${phyr[@]}" layout --pfns data/layouts/pagemap-anon-8m-random.pfn > "$out/layout.txt")
  rm -rf "$work"
}

if [ "${1:-}" = "--collect" ]; then
  collect "$root" "${2:?--collect DIR}"
  exit 0
fi

base=${1:-$(git rev-parse --verify -q origin/main >/dev/null && echo origin/main || echo main)}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
echo "same-results: $base against the working tree"
collect "$tmp/base" "$tmp/before"
collect "$root" "$tmp/after"
if diff -r "$tmp/before" "$tmp/after"; then
  echo "same-results: identical ($(ls "$tmp/after" | wc -l) outputs)"
else
  echo "same-results: outputs differ (above)" >&2
  exit 1
fi
