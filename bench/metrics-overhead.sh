#!/usr/bin/env bash
# Issue 12: what the operations endpoint costs. Alternates two fresh brokers, one with
# metrics.http.listener on (counters fed on every request, /metrics scraped every second as a
# Prometheus would) and one with it off, running the same acks=1 six-partition produce on each,
# ROUNDS times; reports start-up to first Metadata answer and idle RSS of each, and the median
# produce throughput of each. Writes JSON to $1 (default bench/results/metrics-overhead.json).
# Run under the build lock, as bench/run.sh is.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=${1:-$repo/bench/results/metrics-overhead.json}
ROUNDS=${ROUNDS:-3}
RECORDS=${RECORDS:-300000}
RECORD_SIZE=${RECORD_SIZE:-1024}
BATCH_SIZE=${BATCH_SIZE:-65536}
broker_bin=$repo/src/Broker/bin/Release/net10.0/Broker
perf_bin=$repo/bench/Perf/bin/Release/net10.0/Broker.Perf
[ -x "$broker_bin" ] && [ -x "$perf_bin" ] || { dotnet build src/Broker -c Release -v q -nologo >&2; dotnet build bench/Perf -c Release -v q -nologo >&2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/broker-metrics-bench.XXXXXX")
pid=""; scraper=""
cleanup() {
  [ -z "$scraper" ] || kill "$scraper" 2>/dev/null || true
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run() { # mode (on|off), round
  local mode=$1 round=$2 dir=$work/$1-$2 port controller http listener
  port=$(free_port); controller=$(free_port); http=$(free_port)
  listener=""; [ "$mode" = off ] || listener="http://127.0.0.1:$http"
  mkdir -p "$dir"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.voters=1@127.0.0.1:$controller
log.dirs=$dir/data
metrics.http.listener=$listener
offsets.topic.replication.factor=1
PROPS
  local t0 t1
  t0=$(date +%s.%N)
  CLUSTER_ID=$("$broker_bin" random-uuid) "$broker_bin" "$dir/server.properties" > "$dir/broker.log" 2>&1 &
  pid=$!
  until kcat -b "127.0.0.1:$port" -L -m 1 >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/broker.log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  sleep 3
  local rss; rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  if [ "$mode" = on ]; then
    ( while true; do curl -s -o /dev/null "http://127.0.0.1:$http/metrics" || true; sleep 1; done ) &
    scraper=$!
  fi
  "$perf_bin" produce --topic p6 --partitions 6 --acks 1 --num-records "$RECORDS" --record-size "$RECORD_SIZE" \
    --batch-size "$BATCH_SIZE" --bootstrap "127.0.0.1:$port" --json "$dir/produce.json" > /dev/null
  [ -z "$scraper" ] || { kill "$scraper"; wait "$scraper" 2>/dev/null || true; scraper=""; }
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  /usr/bin/python3 -c "import json,sys; r=json.load(open('$dir/produce.json')); print(json.dumps({'mode': '$mode', 'round': $round, 'startupSeconds': $t1 - $t0, 'idleRssKiB': $rss, 'mbPerSec': r['mbPerSec']}))" >> "$work/rows.jsonl"
  rm -rf "$dir/data"
}

for round in $(seq 1 "$ROUNDS"); do
  # Alternating order, so a drift in the machine's load does not favour one side.
  if [ $((round % 2)) = 1 ]; then run on "$round"; run off "$round"; else run off "$round"; run on "$round"; fi
done
/usr/bin/python3 - "$work/rows.jsonl" "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def side(mode):
    rs = [r for r in rows if r["mode"] == mode]
    return {k: statistics.median(r[k] for r in rs) for k in ["startupSeconds", "idleRssKiB", "mbPerSec"]}
on, off = side("on"), side("off")
summary = {"rounds": rows, "medianOn": on, "medianOff": off, "produceOnVsOff": on["mbPerSec"] / off["mbPerSec"]}
json.dump(summary, open(sys.argv[2], "w"), indent=2)
print(f"metrics on : start-up {on['startupSeconds']:.2f} s, idle RSS {on['idleRssKiB']/1024:.0f} MiB, produce {on['mbPerSec']:.0f} MB/s")
print(f"metrics off: start-up {off['startupSeconds']:.2f} s, idle RSS {off['idleRssKiB']/1024:.0f} MiB, produce {off['mbPerSec']:.0f} MB/s")
print(f"produce throughput on/off: {summary['produceOnVsOff']:.3f}")
PY
