#!/usr/bin/env bash
# Every hostile input issue 16 lists (and their kin) against the built `phyr` and a running `phyr serve`: each must end
# in one line and exit 2 (the command line) or a 4xx with {error, field} (the service) — no stack trace, no crash, no
# hang (60 s each), nothing stored lost. Prints a line per case and a closing count; exits 1 when any case fails.
# Needs a built Host (dotnet test or dotnet build builds it), curl and python3. About 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
phyr=(dotnet src/Host/bin/Debug/net10.0/phyr.dll)
[ -f src/Host/bin/Debug/net10.0/phyr.dll ] || dotnet build src/Host -v q -nologo >/dev/null
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

total=0 failed=0 traces=0 crashes=0 hangs=0
verdict() { # name ok detail
  total=$((total + 1))
  if [ "$2" = ok ]; then printf '  ok    %s\n' "$1"; else failed=$((failed + 1)); printf '  FAIL  %s: %s\n' "$1" "$3"; fi
}

# cli NAME ARGS...: exit 2, one line on stderr, no stack trace.
cli() {
  local name=$1; shift
  local err=$work/err rc=0
  timeout 60 "${phyr[@]}" "$@" >/dev/null 2>"$err" || rc=$?
  local lines; lines=$(grep -c '' "$err" || true)
  if [ "$rc" = 124 ]; then hangs=$((hangs + 1)); verdict "$name" fail "no answer in 60 s"; return; fi
  if grep -qE '^\s+at |Exception' "$err"; then traces=$((traces + 1)); verdict "$name" fail "a stack trace: $(head -c 200 "$err")"; return; fi
  if [ "$rc" -gt 2 ] && [ "$rc" != 3 ]; then crashes=$((crashes + 1)); verdict "$name" fail "exit $rc"; return; fi
  if [ "$rc" != 2 ] || [ "$lines" != 1 ]; then verdict "$name" fail "exit $rc, $lines lines: $(head -c 200 "$err")"; return; fi
  verdict "$name: $(head -c 110 "$err")" ok
}

echo "command line:"
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$work/words.pfn"
printf 'name = pfns\nlayout.pfns = %s\n' "$work/words.pfn" > "$work/not-pfns.conf"
printf 'name = zero\nlayout.pfns = /dev/zero\n' > "$work/zero-pfns.conf"
printf 'name = big\ncpus = 4096\nregion = 1T\n' > "$work/big.conf"
printf 'name = esc\nregion = \033[31mred\n' > "$work/esc.conf"
head -c 300000 /dev/urandom | base64 > "$work/huge.conf"
echo x > "$work/a-file"
cli "layout --pfns /dev/zero" layout --pfns /dev/zero
cli "layout --pfns a directory" layout --pfns "$work"
cli "layout --generate 10^11" layout --generate 100000000000
cli "run: layout.pfns not a pfn file" run "$work/not-pfns.conf"
cli "run: layout.pfns = /dev/zero" run "$work/zero-pfns.conf"
cli "run /dev/zero" run /dev/zero
cli "run: a 390 KiB scenario" run "$work/huge.conf"
cli "run: control characters" run "$work/esc.conf"
cli "run: 4096 CPUs x 1 TiB" run "$work/big.conf"
cli "gup-test --cost-model /dev/zero" gup-test --cost-model /dev/zero
cli "gup-test --machine /dev/zero" gup-test --machine /dev/zero
cli "gup-test -m 2^40" gup-test -a -m 1099511627776
cli "serve --urls https" serve --data "$work/d1" --urls https://127.0.0.1:5999
cli "serve --data a file" serve --data "$work/a-file"
PHYR_ApiToken="   " cli "serve with a blank token" serve --data "$work/d2" --urls http://127.0.0.1:5999
python3 -m http.server 0 --bind 127.0.0.1 >"$work/busy.log" 2>&1 &
busy=$!
for _ in $(seq 1 50); do port=$(grep -oE 'port [0-9]+' "$work/busy.log" | grep -oE '[0-9]+' || true); [ -n "$port" ] && break; sleep 0.1; done
cli "serve on a port in use" serve --data "$work/d3" --urls "http://127.0.0.1:$port"
kill "$busy"
cli "validate --cases /dev/zero" validate --cases /dev/zero
cli "serve --config /dev/zero" serve --data "$work/d4" --config /dev/zero
mkdir -p "$work/zero-results" && ln -s /dev/zero "$work/zero-results/results.json"
cli "compare a results.json that never ends" compare "$work/zero-results" "$work/zero-results"

echo "service:"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PHYR_RunExperiments=false "${phyr[@]}" serve --data "$work/serve" --urls "http://127.0.0.1:$port" --log-level Warning >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
url="http://127.0.0.1:$port/api/experiments"
curl -sf -H 'Content-Type: application/json' -d '{"experiment": "features"}' "$url" >/dev/null
# http NAME EXPECTED-STATUS CURL-ARGS...: the status, a JSON {error} for a 4xx.
http() {
  local name=$1 want=$2; shift 2
  local code; code=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 60 "$@" || echo 000)
  if [ "$code" = 000 ]; then hangs=$((hangs + 1)); verdict "$name" fail "no answer"; return; fi
  if [ "$code" != "$want" ]; then verdict "$name" fail "status $code (wanted $want): $(head -c 200 "$work/body")"; return; fi
  if [ "${code:0:1}" = 4 ] && ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["error"]' "$work/body" 2>/dev/null; then
    verdict "$name" fail "no {error}: $(head -c 200 "$work/body")"; return
  fi
  verdict "$name: $code $(tr -d "\n" < "$work/body" | tr -s " " | head -c 110)" ok
}
http "duplicate JSON keys" 400 -H 'Content-Type: application/json' -d '{"experiment": "features", "experiment": "strategies"}' "$url"
printf '\xff\xfen\x00a\x00m\x00e\x00' > "$work/utf16"
http "a UTF-16 body" 400 -H 'Content-Type: text/plain' --data-binary "@$work/utf16" "$url"
http "1000 x 1000 points" 400 -H 'Content-Type: text/plain' --data-binary "$(printf 'scenario = gup-phyrs-1g-4k-b16\naxes {\n cpus = "%s"\n gup.batch = "%s"\n}\n' "$(seq -s, 1 1000)" "$(seq -s, 1 1000)")" "$url"
http "4096 CPUs x 1 TiB" 400 -H 'Content-Type: text/plain' --data-binary $'scenario = gup-phyrs-1g-4k-b16\nbase { cpus = 4096 }\naxes { region = "1T" }\n' "$url"
http "a path for a pfn file" 400 -H 'Content-Type: text/plain' --data-binary $'scenario = gup-phyrs-1g-4k-b16\naxes { layout.pfns = "/etc/passwd" }\n' "$url"
http "a NUL in the text" 400 -H 'Content-Type: text/plain' --data-binary $'scenario = gup-phyrs-1g-4k-b16\naxes { cpus = "1\x01" }\n' "$url"
http "a cross-site fetch" 403 -H 'Sec-Fetch-Site: cross-site' -H 'Content-Type: application/json' -d '{"experiment": "features"}' "$url"
http "another origin" 403 -H 'Origin: http://evil.example' -H 'Content-Type: application/json' -d '{"experiment": "features"}' "$url"
http "a rebound host name" 400 -H 'Host: evil.example' "$url"
head -c 400000 /dev/zero | tr '\0' 'a' > "$work/big-body"
http "a body over the limit" 413 -H 'Content-Type: text/plain' --data-binary "@$work/big-body" "$url"
frame=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/" | tr -d '\r' | grep -ciE '^(x-frame-options: deny|content-security-policy: frame-ancestors|x-content-type-options: nosniff)' || true)
[ "$frame" = 3 ] && verdict "anti-framing and nosniff headers" ok || verdict "anti-framing and nosniff headers" fail "$frame of 3"
kept=$(curl -s "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$kept" = 1 ] && verdict "nothing refused was stored, the accepted one kept" ok || verdict "stored experiments" fail "$kept, wanted 1"
if grep -qE '^\s+at ' "$work/serve.log"; then traces=$((traces + 1)); verdict "the server's log" fail "a stack trace"; else verdict "no stack trace in the server's log" ok; fi

echo "hostile inputs: $total cases, $failed failed; $traces stack traces, $crashes crashes, $hangs hangs"
[ "$failed" = 0 ]
