#!/usr/bin/env bash
# Records the fidelity corpus (tests/fidelity/*.json) against a real Docker
# Engine and regenerates FIDELITY.md. Developers only: CI replays the
# committed goldens (tests/it/fidelity) and needs no engine.
#
#   scripts/real-docker.sh start          # once: a Docker Engine 26.1 on a temp socket
#   scripts/record-fidelity.sh            # records every area, writes FIDELITY.md
#   FIDELITY_AREAS=containers,exec scripts/record-fidelity.sh   # only these areas
#   FIDELITY_SCENARIOS=a,b scripts/record-fidelity.sh   # only these scenarios (the
#                                   # other goldens of their areas are kept as they are)
#   scripts/record-fidelity.sh --report   # no engine: replay and rewrite FIDELITY.md only
#
# The engine is $DOCKER_HOST, else the one scripts/real-docker.sh started. The
# runner and its normalisation are the test's own code (tests/it/fidelity/),
# run as the ignored test `fidelity::record`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --report ]; then
  exec cargo test --test it fidelity::report -- --ignored --exact --nocapture
fi
host=${DOCKER_HOST:-unix://${SOCKERLESS_REAL_DOCKER_DIR:-/tmp/sockerless-real-docker}/docker.sock}
case "$host" in
  unix://*) [ -S "${host#unix://}" ] || { echo "no Docker Engine at $host (scripts/real-docker.sh start)" >&2; exit 1; } ;;
  *) echo "DOCKER_HOST must be a unix:// socket, not $host" >&2; exit 1 ;;
esac
FIDELITY_DOCKER_HOST="$host" cargo test --test it fidelity::record -- --ignored --exact --nocapture
