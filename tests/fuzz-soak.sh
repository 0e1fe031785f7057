#!/usr/bin/env bash
# A longer run of the wire fuzz test (tests/Broker.Tests/Fuzz): same harness, more frames.
#   tests/fuzz-soak.sh [frames] [seed]     defaults: 2,000,000 frames, seed 20261203
# FUZZ_WORKERS sets the number of concurrent connections (16); FUZZ_APIS=all also fuzzes the
# APIs that create or delete topics, partitions and features.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_FRAMES="${1:-2000000}"
export FUZZ_SEED="${2:-20261203}"
dotnet build tests/Broker.Tests -c Release 2>&1 | tail -3
set +e
dotnet test tests/Broker.Tests -c Release --no-build --filter "FullyQualifiedName~Fuzz.FuzzTests" \
  --logger "console;verbosity=detailed" 2>&1 | grep -E "fuzz:|Passed|Failed|Error Message|Assert"
exit "${PIPESTATUS[0]}"
