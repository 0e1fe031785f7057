#!/usr/bin/env bash
# Installs what the tests need (idempotent), then runs every test in the solution.
set -euo pipefail
cd "$(dirname "$0")"

# podman, runc and debootstrap: the container image and StatefulSet tests (tests/Broker.Tests/Container);
# clang and zlib1g-dev: the NativeAOT publish of the broker for that image.
# golang-go, gcc (cgo, for Sarama's zstd) and Debian's Sarama build the Go client of the end-to-end tests.
# python3-prometheus-client parses /metrics; chromium renders the cluster page (tests/Broker.Tests/Operations).
apt_packages=(kcat python3-confluent-kafka zstd lz4 iproute2 iptables podman runc debootstrap clang zlib1g-dev
  golang-go gcc golang-github-shopify-sarama-dev python3-prometheus-client chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Debian mirrors sometimes answer "cannot access archive" once; a second try goes through.
  for attempt in 1 2 3; do
    if $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq "${missing[@]}"; then break; fi
    [ "$attempt" -lt 3 ] || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
    sleep 5
  done
fi

# Node clients live under tests/clients so the repo, not the machine, pins their versions.
# --ignore-scripts: the test clients are pure JavaScript; nothing needs building.
for module in kafkajs kafkajs-snappy kubernetes-models yaml; do
  if [ ! -d "tests/clients/node_modules/$module" ]; then
    (cd tests/clients && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    break
  fi
done

# One summary line per test assembly from dotnet, then a grand total in the plain form CI reads.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Broker.sln -c Release --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
