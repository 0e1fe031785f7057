#!/usr/bin/env bash
# Soak of issue 15's kill-the-leader test: the same test as ./test.sh runs (10 rounds), with more
# rounds. Prints each round's time from kill -9 to the first acknowledged produce and, at the end,
# the records acknowledged and lost.
#   tests/soak/kill-leader.sh [ROUNDS]     (default 100; about 10 s a round on a 2-core machine)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-100}"
dotnet build tests/Broker.Tests -c Release 2>&1 | tail -3
KILL_LEADER_ROUNDS="$rounds" dotnet test tests/Broker.Tests -c Release --no-build \
  --filter "FullyQualifiedName~Cluster.KillLeaderTests" --logger "console;verbosity=detailed"
