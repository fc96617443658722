#!/usr/bin/env bash
# Two real `phyr serve` processes on 127.0.0.1 sharing one PostgreSQL journal (issue 7's scripted check):
#  1. they form a cluster; a sweep submitted to node A runs on both nodes;
#  2. node B is killed with SIGKILL mid-sweep; A downs it, runs B's points and finishes the sweep, and its
#     results.json equals a single-node `phyr run` of the same sweep (host block apart);
#  3. B restarts, rejoins and gets work again (the same sweep with another seed: points per minute on two nodes);
#  4. node A — the oldest, running the registry — is killed with SIGKILL mid-sweep: B takes the lease, downs A,
#     takes the registry over and finishes the sweep with results equal to the single-node run;
#  5. on B alone, the same sweep with a third seed: points per minute on one node (each node runs one point at a
#     time: --parallelism 1).
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
submit() { # port seed
  curl -s -X POST -H 'Content-Type: application/json' \
    -d "$(python3 -c "import json,sys; print(json.dumps({'conf': open('$work/sweep.conf').read(), 'seed': $2}))")" \
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
two=$(python3 -c "import sys, json, datetime as d; v = json.loads(sys.argv[1]); s = (d.datetime.fromisoformat(v['finished_at']) - d.datetime.fromisoformat(v['started_at'])).total_seconds(); print(f\"{v['points_total'] / s * 60:.0f} points/min on two nodes ({s:.1f} s; {v['nodes']})\")" "$v2")
python3 -c "import sys, json; v = json.loads(sys.argv[1]); sys.exit(0 if v.get('nodes') and len(v['nodes']) == 2 else 1)" "$v2" \
  || { echo "cluster-check: the rejoined node got no points: $v2" >&2; exit 1; }
# A, the oldest node and the registry's, is killed mid-sweep: B (the youngest) must take over (the lease decides).
kill_mid_sweep 5202 0 A
# The same sweep (another seed) on B alone, measured the same way (started to finished, in the service).
id3=$(submit 5202 3)
wait_done 5202 "$id3"
v3=$(curl -s "http://127.0.0.1:5202/api/experiments/$id3")
one=$(python3 -c "import sys, json, datetime as d; v = json.loads(sys.argv[1]); s = (d.datetime.fromisoformat(v['finished_at']) - d.datetime.fromisoformat(v['started_at'])).total_seconds(); print(f\"{v['points_total'] / s * 60:.0f} points/min on one node ({s:.1f} s)\")" "$v3")
echo "cluster-check: rejoined node got work; $two; $one"
psql -h 127.0.0.1 -p "$pgport" -U phyr -d postgres -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null 2>&1 || true
ok=1
echo "cluster-check: ok"
