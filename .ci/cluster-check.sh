#!/usr/bin/env bash
# Two real `phyr serve` processes on 127.0.0.1 sharing one PostgreSQL journal (issue 7's scripted check):
#  1. they form a cluster; a sweep submitted to node A runs on both nodes;
#  2. node B is killed with SIGKILL mid-sweep; A downs it, runs B's points and finishes the sweep, and its
#     results.json equals a single-node `phyr run` of the same sweep (host block apart);
#  3. B restarts, rejoins and gets work again (the same sweep with another seed: points per minute on two nodes);
#  4. node A — the oldest, running the registry — is killed with SIGKILL mid-sweep: B takes the lease, downs A,
#     takes the registry over and finishes the sweep with results equal to the single-node run;
#  5. on B alone, the same sweep with a third seed: points per minute on one node (each node runs one point at a
#     time: --parallelism 1);
#  6. `phyr run --cluster SEEDS` (a cluster client knowing only B's cluster address) runs the sweep and writes
#     results equal to the single-node run.
# Needs PHYR_TEST_POSTGRES (an admin connection string; .ci/postgres.sh) and a built Host (dotnet test builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PHYR_TEST_POSTGRES:?set PHYR_TEST_POSTGRES (eval \"\$(.ci/postgres.sh)\")}"
phyr=(dotnet src/Host/bin/Debug/net10.0/phyr.dll)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ "${ok:-0}" = 1 ] || { for f in "$work"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; } 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

field() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
pgport=$(python3 -c "import re,os; print(re.search(r'Port=(\d+)', os.environ['PHYR_TEST_POSTGRES']).group(1))")
db="phyr_cluster_check_$$"
psql -h 127.0.0.1 -p "$pgport" -U phyr -d postgres -qc "CREATE DATABASE $db" >/dev/null
export PHYR_Persistence__Provider=postgresql
export PHYR_Persistence__ConnectionString="Host=127.0.0.1;Port=$pgport;Username=phyr;Database=$db"
seed="akka.tcp://phyr-service@127.0.0.1:4201"

start() { # name http-port cluster-port
  "${phyr[@]}" serve --data "$work/$1" --urls "http://127.0.0.1:$2" --cluster-port "$3" --seed-nodes "$seed" \
    --parallelism 1 --log-level Warning >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return 0; sleep 0.5; done
  echo "cluster-check: node $1 did not start" >&2; cat "$work/$1.log" >&2; exit 1
}
members_up() { curl -s "http://127.0.0.1:$1/api/cluster" | python3 -c "import sys, json; print(sum(m['status'] == 'up' for m in json.load(sys.stdin)['members']))"; }
wait_members() { for _ in $(seq 1 120); do [ "$(members_up "$1")" = "$2" ] && return 0; sleep 0.5; done; echo "cluster-check: not $2 members" >&2; exit 1; }

cat >"$work/sweep.conf" <<'EOF'
name = cluster-sweep
scenario = gup-phyrs-1g-4k-b16
base { region = 64M }
axes {
  cpus = "1, 2, 3, 4, 5, 6, 7, 8"
  gup.batch = "16, 32, 64, 128, 256"
}
EOF
submit() { # port seed [conf]
  curl -s -X POST -H 'Content-Type: application/json' \
    -d "$(python3 -c "import json,sys; print(json.dumps({'conf': open('${3:-$work/sweep.conf}').read(), 'seed': $2}))")" \
    "http://127.0.0.1:$1/api/experiments" | field "['id']"
}
wait_done() { # port id
  for _ in $(seq 1 360); do
    # (while a node takes the registry over, the API answers 503 for a moment)
    s=$(curl -s "http://127.0.0.1:$1/api/experiments/$2" | field "['status']" 2>/dev/null || true)
    case $s in completed) return 0 ;; failed|cancelled) echo "cluster-check: $2 $s" >&2; exit 1 ;; esac
    sleep 0.5
  done
  echo "cluster-check: $2 did not finish" >&2; exit 1
}
# The throughput sweep: the same 40 points on 256 MiB (4× the work of each point: less weight on fixed costs).
sed 's/region = 64M/region = 256M/; s/name = cluster-sweep/name = cluster-measure/' "$work/sweep.conf" >"$work/measure.conf"
rate() { # port id label: points per minute, started to finished in the service
  curl -s "http://127.0.0.1:$1/api/experiments/$2" | python3 -c "import sys, json, datetime as d; v = json.load(sys.stdin); s = (d.datetime.fromisoformat(v['finished_at']) - d.datetime.fromisoformat(v['started_at'])).total_seconds(); print(f\"{v['points_total'] / s * 60:.0f} points/min on $3 ({s:.1f} s; {v['nodes']})\")"
}
strip_host() { python3 -c "import sys, json; d = json.load(open(sys.argv[1])); d.pop('host', None); print(json.dumps(d, sort_keys=True))" "$1"; }

start a 5201 4201
start b 5202 4202
wait_members 5201 2
# kill_mid_sweep PORT-ASKED PID-INDEX NAME: kills that node with SIGKILL once both nodes have run points of a sweep
# submitted to the other (seed 1), waits for the other to finish it and compares its results with a single-node run.
kill_mid_sweep() {
  local port=$1 victim=$2 name=$3 id view
  id=$(submit "$port" 1)
  for _ in $(seq 1 240); do
    view=$(curl -s "http://127.0.0.1:$port/api/experiments/$id")
    if python3 -c "import sys, json; v = json.loads(sys.argv[1]); sys.exit(0 if v.get('nodes') and len(v['nodes']) == 2 and v['points_done'] >= 6 else 1)" "$view"; then break; fi
    sleep 0.25
  done
  echo "cluster-check: before killing $name: $(echo "$view" | field "['nodes']"), $(echo "$view" | field "['points_done']")/40 points, runs on $(echo "$view" | field "['runs_on']")"
  kill -9 "${pids[$victim]}"
  wait_done "$port" "$id"
  curl -s "http://127.0.0.1:$port/api/experiments/$id/results.json" >"$work/cluster.json"
  [ -f "$work/single/results.json" ] || "${phyr[@]}" run "$work/sweep.conf" --seed 1 --parallelism 1 --out "$work/single" >/dev/null 2>&1
  if [ "$(strip_host "$work/cluster.json")" != "$(strip_host "$work/single/results.json")" ]; then
    echo "cluster-check: the sweep's results after killing $name differ from a single-node run" >&2; exit 1
  fi
  echo "cluster-check: node $name killed mid-sweep; the other finished it: $(curl -s "http://127.0.0.1:$port/api/experiments/$id" | field "['nodes']"); results equal a single-node run"
}
kill_mid_sweep 5201 1 B

# B rejoins (same data directory) and gets work again; throughput on two nodes against one.
start b 5202 4202
wait_members 5201 2
id2=$(submit 5201 2)
wait_done 5201 "$id2"
v2=$(curl -s "http://127.0.0.1:5201/api/experiments/$id2")
python3 -c "import sys, json; v = json.loads(sys.argv[1]); sys.exit(0 if v.get('nodes') and len(v['nodes']) == 2 else 1)" "$v2" \
  || { echo "cluster-check: the rejoined node got no points: $v2" >&2; exit 1; }
echo "cluster-check: B rejoined and got work again: $(echo "$v2" | field "['nodes']")"
# Throughput on two warm nodes (the sweep above warmed B's JIT up).
idm2=$(submit 5201 2 "$work/measure.conf")
wait_done 5201 "$idm2"
two=$(rate 5201 "$idm2" "two nodes")
# A, the oldest node and the registry's, is killed mid-sweep: B (the youngest) must take over (the lease decides).
kill_mid_sweep 5202 0 A
# The same throughput sweep (another seed) on B alone.
idm1=$(submit 5202 3 "$work/measure.conf")
wait_done 5202 "$idm1"
one=$(rate 5202 "$idm1" "one node")
echo "cluster-check: throughput: $two; $one"
# A client that knows only a node's cluster address: `phyr run --cluster SEEDS` finds the API through it.
"${phyr[@]}" run "$work/sweep.conf" --seed 1 --cluster akka.tcp://phyr-service@127.0.0.1:4202 --out "$work/via-seeds" >/dev/null 2>"$work/via-seeds.log" \
  || { echo "cluster-check: run --cluster SEEDS failed" >&2; cat "$work/via-seeds.log" >&2; exit 1; }
if [ "$(strip_host "$work/via-seeds/results.json")" != "$(strip_host "$work/single/results.json")" ]; then
  echo "cluster-check: run --cluster SEEDS gave other results than a single-node run" >&2; exit 1
fi
echo "cluster-check: run --cluster SEEDS: $(grep -o 'takes requests at [^ ]*' "$work/via-seeds.log"); results equal a single-node run"
psql -h 127.0.0.1 -p "$pgport" -U phyr -d postgres -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null 2>&1 || true
ok=1
echo "cluster-check: ok"
