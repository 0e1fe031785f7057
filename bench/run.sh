#!/usr/bin/env bash
# End-to-end benchmark: builds Release, measures this machine's limits (loopback TCP with iperf3,
# sequential write with dd), starts a broker on a fresh data directory and free ports, runs the
# produce/consume scenarios with bench/Perf plus a confluent-kafka cross-check, and prints every
# throughput with its ratio to the relevant limit. Results: bench/results/latest.json.
# Then three combined nodes (bench/cluster/replication.py): RF 3 acks=all throughput (as a ratio to
# this run's single-node acks=1), latency at a fixed rate with acks=all, and kill -9 of a partition
# leader to the first acknowledged acks=all produce. SKIP_CLUSTER=1 leaves that part out.
# Sizes fit a run of a few minutes; override with RECORDS=… RATE_SECONDS=… PY_RECORDS=… CLUSTER_RECORDS=… KILLS=….
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

RECORDS=${RECORDS:-1000000}          # 1 KiB records per produce scenario (~1 GB)
RECORD_SIZE=${RECORD_SIZE:-1024}
BATCH_SIZE=${BATCH_SIZE:-65536}
PY_RECORDS=${PY_RECORDS:-500000}     # the Python client's own loop costs CPU: a smaller run
RATE_MBPS=${RATE_MBPS:-50}
RATE_SECONDS=${RATE_SECONDS:-20}
IPERF_SECONDS=${IPERF_SECONDS:-5}
DD_MB=${DD_MB:-1024}
PY=/usr/bin/python3                  # python3-confluent-kafka is an apt package: the system interpreter

run_start=$(date +%s.%N)
load_start=$(cut -d" " -f1-3 /proc/loadavg)
say() { echo "== $*" >&2; }

# --- what the run needs, idempotently -----------------------------------------------------------
apt_packages=(iperf3 kcat python3-confluent-kafka)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Debian mirrors sometimes answer "cannot access archive" once; a second try goes through.
  for attempt in 1 2 3; do
    if $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq "${missing[@]}"; then break; fi
    [ "$attempt" -lt 3 ] || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
    sleep 5
  done
fi

say "building Release"
dotnet build src/Broker -c Release -v q -nologo >&2
dotnet build bench/Perf -c Release -v q -nologo >&2
broker_bin=$repo/src/Broker/bin/Release/net10.0/Broker
perf_bin=$repo/bench/Perf/bin/Release/net10.0/Broker.Perf

work=$(mktemp -d "${TMPDIR:-/tmp}/broker-bench.XXXXXX")
results=$work/results
mkdir -p "$results" bench/results
broker_pid=""
iperf_pid=""
cleanup() {
  [ -z "$broker_pid" ] || { kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null || true; }
  [ -z "$iperf_pid" ] || { kill "$iperf_pid" 2>/dev/null; wait "$iperf_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# --- the machine's limits -----------------------------------------------------------------------
say "loopback TCP: iperf3 for ${IPERF_SECONDS}s"
iperf_port=$(free_port)
iperf3 -s -B 127.0.0.1 -p "$iperf_port" >/dev/null 2>&1 &
iperf_pid=$!
# The server needs a moment to listen: retry the client until it connects.
for attempt in $(seq 30); do
  # With -J, iperf3 3.12 exits 0 even when it could not connect: the JSON's "error" tells.
  iperf3 -c 127.0.0.1 -p "$iperf_port" -t "$IPERF_SECONDS" -J > "$results/iperf3.json" 2>/dev/null || true
  grep -q '"error"' "$results/iperf3.json" || break
  [ "$attempt" -lt 30 ] || { echo "iperf3 failed: $(cat "$results/iperf3.json")" >&2; exit 1; }
  sleep 0.2
done
kill "$iperf_pid" 2>/dev/null; wait "$iperf_pid" 2>/dev/null || true
iperf_pid=""

# Written where the broker's data will live: the same filesystem and device.
say "sequential write: dd ${DD_MB} MiB, with and without fdatasync"
mkdir -p "$work/data"
dd if=/dev/zero of="$work/data/dd.test" bs=1M count="$DD_MB" conv=fdatasync 2> "$results/dd-sync.txt"
rm -f "$work/data/dd.test"
dd if=/dev/zero of="$work/data/dd.test" bs=1M count="$DD_MB" 2> "$results/dd-cache.txt"
rm -f "$work/data/dd.test"
sync

# --- the broker ---------------------------------------------------------------------------------
port=$(free_port)
controller_port=$(free_port)
http_port=$(free_port)
cat > "$work/server.properties" <<EOF
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.voters=1@127.0.0.1:$controller_port
log.dirs=$work/data
metrics.http.listener=http://127.0.0.1:$http_port
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
EOF
bootstrap=127.0.0.1:$port
cluster_id=$("$broker_bin" random-uuid)

say "starting the broker on $bootstrap (data in $work/data)"
t0=$(date +%s.%N)
CLUSTER_ID=$cluster_id "$broker_bin" "$work/server.properties" > "$work/broker.log" 2>&1 &
broker_pid=$!
# Startup ends at the first Metadata answer (kcat -L sends ApiVersions then Metadata). Wait for the
# port first: a kcat started before the listener binds sits out its whole 1 s metadata timeout,
# which would be measured as start-up time.
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.log" >&2; echo "the broker exited" >&2; exit 1; }
  awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { exit !(a - b > 60) }' && { echo "the broker did not listen in 60 s" >&2; exit 1; }
  sleep 0.005
done
until kcat -b "$bootstrap" -L -m 1 >/dev/null 2>&1; do
  kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.log" >&2; echo "the broker exited" >&2; exit 1; }
  awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { exit !(a - b > 60) }' && { echo "no Metadata answer in 60 s" >&2; exit 1; }
  sleep 0.02
done
t1=$(date +%s.%N)
echo "{\"startupSeconds\": $(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')}" > "$results/startup.json"
sleep 3
echo "{\"idleRssKiB\": $(awk '/^VmRSS/ {print $2}' "/proc/$broker_pid/status")}" > "$results/idle-rss.json"

perf() { # name, then perf arguments
  local name=$1; shift
  say "$name: perf $*"
  "$perf_bin" "$@" --bootstrap "$bootstrap" --json "$results/$name.json" > /dev/null
}

# --- scenarios ----------------------------------------------------------------------------------
common=(--num-records "$RECORDS" --record-size "$RECORD_SIZE" --batch-size "$BATCH_SIZE")
perf produce-acks1-p1 produce --topic p1 --partitions 1 --acks 1 "${common[@]}"
perf produce-acks1-p6 produce --topic p6 --partitions 6 --acks 1 "${common[@]}"
perf consume-p1 consume --topic p1 --num-records "$RECORDS"
perf consume-p6 consume --topic p6 --num-records "$RECORDS"
perf produce-acksall-p6 produce --topic all6 --partitions 6 --acks -1 "${common[@]}"
perf latency-50MBps-p6 produce --topic rate6 --partitions 6 --acks 1 --record-size "$RECORD_SIZE" \
  --batch-size "$BATCH_SIZE" --linger-ms 5 --target-mbps "$RATE_MBPS" --duration "${RATE_SECONDS}s"
# librdkafka keeps its own batch.size (1 MB per request's MessageSet): with its sticky partitioner
# one request carries one partition's batch, so 64 KiB there would mean 6x smaller requests than ours.
say "confluent-kafka: the produce-acks1-p6 load, $PY_RECORDS records"
$PY bench/clients/produce_confluent.py --bootstrap "$bootstrap" --topic py6 --partitions 6 --acks 1 \
  --num-records "$PY_RECORDS" --record-size "$RECORD_SIZE" --linger-ms 5 \
  > "$results/produce-confluent-p6.json"
# kcat (librdkafka in C, no interpreter in the loop) sends the same records from a file, one a line.
say "kcat: the produce-acks1-p6 load, $PY_RECORDS records"
$PY -c "import sys; line = bytes(65 + (i * 7) % 26 for i in range($RECORD_SIZE)) + b'\\n'; sys.stdout.buffer.write(line * $PY_RECORDS)" > "$work/records.txt"
$PY bench/clients/produce_confluent.py --bootstrap "$bootstrap" --topic kc6 --partitions 6 --create-only
k0=$(date +%s.%N)
kcat_failed=0
kcat -P -b "$bootstrap" -t kc6 -X acks=1 -X linger.ms=5 -X queue.buffering.max.kbytes=1048576 \
  -l "$work/records.txt" 2> "$work/kcat.err" || kcat_failed=$PY_RECORDS
k1=$(date +%s.%N)
[ "$kcat_failed" != 0 ] || kcat_failed=$(grep -c "Delivery failed" "$work/kcat.err" || true)
rm -f "$work/records.txt"
awk -v a="$k1" -v b="$k0" -v n="$PY_RECORDS" -v size="$RECORD_SIZE" -v failed="$kcat_failed" 'BEGIN {
  t = a - b; ok = n - failed
  printf "{\"command\": \"produce\", \"client\": \"kcat\", \"records\": %d, \"recordsFailed\": %d, \"bytes\": %d, ", ok, failed, ok * size
  printf "\"elapsedSeconds\": %f, \"recordsPerSec\": %f, \"bytesPerSec\": %f, \"mbPerSec\": %f, \"error\": null}\n", t, ok / t, ok * size / t, ok * size / t / 1e6
}' > "$results/produce-kcat-p6.json"
perf produce-acks1-p6-same-size produce --topic p6b --partitions 6 --acks 1 --num-records "$PY_RECORDS" \
  --record-size "$RECORD_SIZE" --batch-size "$BATCH_SIZE"

echo "{\"peakRssKiB\": $(awk '/^VmHWM/ {print $2}' "/proc/$broker_pid/status")}" > "$results/peak-rss.json"
kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null || true
broker_pid=""

# --- three nodes, replication factor 3 ----------------------------------------------------------
if [ "${SKIP_CLUSTER:-0}" != 1 ]; then
  say "three nodes: RF 3 acks=all throughput, latency at $RATE_MBPS MB/s, kill -9 of a partition leader"
  $PY bench/cluster/replication.py --broker "$repo/src/Broker/bin/Release/net10.0/Broker.dll" --perf "$perf_bin" \
    --json "$results/cluster.json" --records "${CLUSTER_RECORDS:-300000}" --record-size "$RECORD_SIZE" --batch-size "$BATCH_SIZE" \
    --rate-mbps "$RATE_MBPS" --rate-seconds "$RATE_SECONDS" --kills "${KILLS:-3}"
fi

# --- report -------------------------------------------------------------------------------------
run_end=$(date +%s.%N)
$PY - "$results" "$(awk -v a="$run_end" -v b="$run_start" 'BEGIN { print a - b }')" "$repo/bench/results/latest.json" "$load_start" <<'EOF'
import glob, json, os, re, subprocess, sys, datetime, platform

results, wall, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
load_start = [float(x) for x in sys.argv[4].split()]
def load(name):
    with open(os.path.join(results, name)) as f:
        return json.load(f)
def dd(name):
    text = open(os.path.join(results, name)).read()
    m = re.search(r"(\d+) bytes .* copied, ([\d.]+) s", text)
    return int(m.group(1)) / float(m.group(2))

iperf = load("iperf3.json")["end"]["sum_received"]["bits_per_second"] / 8
dd_sync, dd_cache = dd("dd-sync.txt"), dd("dd-cache.txt")
rows = []
for name in ["produce-acks1-p1", "produce-acks1-p6", "consume-p1", "consume-p6", "produce-acksall-p6",
             "latency-50MBps-p6", "produce-confluent-p6", "produce-kcat-p6", "produce-acks1-p6-same-size"]:
    r = load(name + ".json")
    row = {"scenario": name, "records": r["records"], "failed": r.get("recordsFailed", 0), "mbPerSec": r["mbPerSec"],
           "recordsPerSec": r["recordsPerSec"], "vsLoopback": r["bytesPerSec"] / iperf}
    if r["command"] == "produce":
        row["vsDdFdatasync"] = r["bytesPerSec"] / dd_sync
        row["vsDdPageCache"] = r["bytesPerSec"] / dd_cache
    lat = r.get("latencyMs") or r.get("fetchLatencyMs")
    if lat:
        row["latencyMs"] = lat
    row["error"] = r.get("error")
    rows.append(row)

cluster = None
if os.path.exists(os.path.join(results, "cluster.json")):
    c = load("cluster.json")
    single = next(r for r in rows if r["scenario"] == "produce-acks1-p6")
    for name, r in [("rf3-acksall-p6", c["throughput"]), ("rf3-latency-acksall-p6", c["latency"])]:
        rows.append({"scenario": name, "records": r["records"], "failed": r.get("recordsFailed", 0), "mbPerSec": r["mbPerSec"],
                     "recordsPerSec": r["recordsPerSec"], "vsLoopback": r["bytesPerSec"] / iperf,
                     "vsDdFdatasync": r["bytesPerSec"] / dd_sync, "vsDdPageCache": r["bytesPerSec"] / dd_cache,
                     "latencyMs": r.get("latencyMs"), "error": r.get("error")})
    cluster = {"rf3AcksAllVsSingleAcks1": c["throughput"]["mbPerSec"] / single["mbPerSec"], "kills": c["kills"]}

commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
                       capture_output=True, text=True).stdout.strip()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem_kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
summary = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": commit + ("-dirty" if dirty else ""),
    "machine": f"{os.cpu_count()} vCPU {cpu}, {mem_kib // 1024} MiB RAM, {platform.system()} {platform.release()}",
    "loadAverageAtStart": load_start,
    "loadAverage": os.getloadavg(),
    "limits": {"iperf3LoopbackMBps": iperf / 1e6, "ddFdatasyncMBps": dd_sync / 1e6, "ddPageCacheMBps": dd_cache / 1e6},
    "startupSeconds": load("startup.json")["startupSeconds"],
    "idleRssMiB": load("idle-rss.json")["idleRssKiB"] / 1024,
    "peakRssMiB": load("peak-rss.json")["peakRssKiB"] / 1024,
    "scenarios": rows,
    "cluster": cluster,
    "wallSeconds": wall,
}
with open(out, "w") as f:
    json.dump(summary, f, indent=2)

print(f"\n{summary['date']}  commit {summary['commit']}  {summary['machine']}")
print(f"load average at the start: {' '.join(f'{x:.2f}' for x in load_start)}, "
      f"at the end: {' '.join(f'{x:.2f}' for x in summary['loadAverage'])}")
print(f"limits: iperf3 loopback {iperf / 1e6:.0f} MB/s, dd sequential write {dd_sync / 1e6:.0f} MB/s (fdatasync), "
      f"{dd_cache / 1e6:.0f} MB/s (page cache)")
print(f"broker startup to first Metadata answer {summary['startupSeconds']:.2f} s, idle RSS {summary['idleRssMiB']:.0f} MiB, "
      f"peak RSS {summary['peakRssMiB']:.0f} MiB\n")
head = f"{'scenario':28} {'records':>9} {'rec/s':>9} {'MB/s':>8} {'/iperf3':>8} {'/dd sync':>9} {'/dd cache':>9}  latency ms avg/p50/p95/p99/p99.9/max"
print(head)
print("-" * len(head))
for r in rows:
    lat = r.get("latencyMs")
    lat_text = "/".join(f"{lat[k]:.1f}" for k in ["avg", "p50", "p95", "p99", "p999", "max"]) if lat else "-"
    if r["scenario"].startswith("consume"):
        lat_text = "fetch " + lat_text
    disk = lambda key: f"{r[key]:.3f}" if key in r else "-"
    print(f"{r['scenario']:28} {r['records']:>9} {r['recordsPerSec']:>9.0f} {r['mbPerSec']:>8.1f} {r['vsLoopback']:>8.3f} "
          f"{disk('vsDdFdatasync'):>9} {disk('vsDdPageCache'):>9}  {lat_text}"
          + (f"  FAILED {r['failed']}: {r['error']}" if r["failed"] or r["error"] else ""))
if cluster:
    print(f"\nthree nodes, RF 3: acks=all throughput / single-node acks=1 (6 partitions) = {cluster['rf3AcksAllVsSingleAcks1']:.2f}")
    for k in cluster["kills"]:
        print(f"kill -9 of partition leader {k['victim']}{' (also the active controller)' if k['activeController'] else ''}: "
              f"first acks=all produce acknowledged {k['firstAckMs']:.0f} ms after the kill")
print(f"\nMB = 10^6 bytes of record values. Whole run: {wall:.0f} s. Results: bench/results/latest.json")
bad = [r["scenario"] for r in rows if r["failed"] or r["error"]]
sys.exit(1 if bad else 0)
EOF

# --- issue 12: the operations endpoint's cost, on vs off in this same run -----------------------
kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null || true; broker_pid=""
say "metrics on vs off (bench/metrics-overhead.sh)"
bench/metrics-overhead.sh "$repo/bench/results/metrics-overhead.json"
