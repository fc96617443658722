#!/usr/bin/env bash
# History under churn (issue 16): N submit-and-cancel cycles of a SIZE-byte experiment against a real `phyr serve`
# (SQLite in a fresh data directory), then the server's resident memory, the database's size and the list's size.
#   scripts/history-soak.sh [N=1000] [SIZE=250000] [PHYR_DLL=src/Host/bin/Debug/net10.0/phyr.dll]
# The experiment is valid and its text mostly a comment, so each submission is validated whole and stored.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000} size=${2:-250000} dll=${3:-src/Host/bin/Debug/net10.0/phyr.dll}
[ -f "$dll" ] || dotnet build src/Host -v q -nologo >/dev/null
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dotnet "$dll" serve --data "$work" --urls "http://127.0.0.1:$port" --log-level Warning >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
before=$(rss)
python3 - "$port" "$n" "$size" <<'PY'
import http.client, json, sys
port, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
head = 'name = soak\nscenario = gup-phyrs-1g-4k-b16\nbase { region = 4M }\naxes { cpus = "1, 2" }\n'
text = head + ('# ' + 'x' * 78 + '\n') * ((size - len(head)) // 81)
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for i in range(n):
    c.request("POST", "/api/experiments", body=text.encode(), headers={"Content-Type": "text/plain"})
    r = c.getresponse(); body = r.read()
    if r.status != 202: sys.exit(f"submission {i}: {r.status} {body[:200]!r}")
    eid = json.loads(body)["id"]
    c.request("POST", f"/api/experiments/{eid}/cancel"); r = c.getresponse(); r.read()
    if r.status not in (202, 409): sys.exit(f"cancel {i}: {r.status}")
PY
sleep 2
list=$(curl -s "http://127.0.0.1:$port/api/experiments" | wc -c)
total=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/api/experiments" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-total-count" {print $2}')
db=$(du -sm "$work"/phyr.db* | awk '{s+=$1} END{print s}')
[ -n "${KEEP:-}" ] && echo "data directory kept: $work"
echo "history soak: $n cycles of $size bytes: server RSS ${before} MB -> $(rss) MB; database ${db} MB; experiments kept ${total:-?}; GET /api/experiments ${list} bytes"
