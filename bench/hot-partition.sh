#!/usr/bin/env bash
# Produce throughput to one hot partition (acks=1), for before/after comparisons of the log's write
# path. Starts the broker binary given as BROKER (default: this repository's Release build) on a fresh
# data directory, runs bench/Perf RUNS times and prints its summary line per run.
# Usage: [BROKER=path/to/Broker] [RECORDS=300000] [RUNS=3] [NOFILE=n] bench/hot-partition.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
BROKER=${BROKER:-$repo/src/Broker/bin/Release/net10.0/Broker}
PERF=${PERF:-$repo/bench/Perf/bin/Release/net10.0/Broker.Perf}
RECORDS=${RECORDS:-300000}
RUNS=${RUNS:-3}
launcher=()
[ -z "${NOFILE:-}" ] || launcher=(prlimit "--nofile=$NOFILE:$NOFILE")

work=$(mktemp -d "${TMPDIR:-/tmp}/hot-partition.XXXXXX")
broker_pid=""
cleanup() {
  [ -z "$broker_pid" ] || { kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port)
controller_port=$(free_port)
cat > "$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.voters=1@127.0.0.1:$controller_port
log.dirs=$work/data
offsets.topic.replication.factor=1
PROPS
CLUSTER_ID=$("$BROKER" random-uuid) "${launcher[@]}" "$BROKER" "$work/server.properties" > "$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 600); do
  kcat -b "127.0.0.1:$port" -L -m 1 >/dev/null 2>&1 && break
  kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.log" >&2; exit 1; }
  sleep 0.1
done
for run in $(seq "$RUNS"); do
  "$PERF" produce --bootstrap "127.0.0.1:$port" --topic "hot$run" --partitions 1 --acks 1 \
    --num-records "$RECORDS" --record-size 1024 --batch-size 65536 --no-progress 2>&1 | grep "records sent"
done
