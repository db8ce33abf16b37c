#!/usr/bin/env bash
# The cost of remote mode: the Docker API served by `sockerless` with the memory
# backend embedded, and in front of a `sockerless-backend-memory` over a Unix
# socket and over TCP. Measures Docker-API request throughput and latency with
# examples/load.rs (`docker-ping`: GET /_ping; `docker-inspect`:
# GET /v1.44/containers/{id}/json) and the wall time of
# `docker run --rm alpine echo hi` (the real CLI, RUNS runs after 3 warm-ups).
# Prints two markdown tables. Loopback only: temp Unix sockets and a 127.0.0.1
# port found free at runtime; every daemon is stopped at the end (also on error
# or Ctrl-C); every load run is bounded by `timeout`.
#
#   scripts/bench-remote.sh                          # build, DURATION=10 WARMUP=2 RUNS=30
#   SKIP_BUILD=1 DURATION=2 WARMUP=0 RUNS=5 CONCURRENCY=1 scripts/bench-remote.sh
#
# Every daemon runs with LOG_LEVEL=warn by default (no per-request log line).
set -euo pipefail

cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONCURRENCY=${CONCURRENCY:-"1 16"}
SCENARIOS=${SCENARIOS:-"docker-ping docker-inspect"}
RUNS=${RUNS:-30}
LOG_LEVEL=${LOG_LEVEL:-warn}
MODES="embedded remote-unix remote-tcp"

command -v jq >/dev/null || { echo "bench-remote.sh: needs jq" >&2; exit 2; }
command -v docker >/dev/null || { echo "bench-remote.sh: needs the docker CLI" >&2; exit 2; }
if [[ -z ${SKIP_BUILD:-} ]]; then
  cargo build --release --bin sockerless --bin sockerless-backend-memory --example load >&2
fi
FRONT=$TARGET/release/sockerless
BACK=$TARGET/release/sockerless-backend-memory
LOAD=$TARGET/release/examples/load

NAME=bench-remote.sh
# shellcheck source=scripts/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

back_port=$(free_port)
"$BACK" --socket "$tmp/backend.sock" --tcp "127.0.0.1:$back_port" --log-level "$LOG_LEVEL" 2>"$tmp/backend.log" &
pids+=($!)
wait_up backend http://localhost/internal/v1/capabilities --unix-socket "$tmp/backend.sock"
"$FRONT" --docker-socket "$tmp/embedded.sock" --log-level "$LOG_LEVEL" 2>"$tmp/embedded.log" &
pids+=($!)
"$FRONT" --docker-socket "$tmp/remote-unix.sock" --backend "unix://$tmp/backend.sock" \
  --log-level "$LOG_LEVEL" 2>"$tmp/remote-unix.log" &
pids+=($!)
"$FRONT" --docker-socket "$tmp/remote-tcp.sock" --backend "tcp://127.0.0.1:$back_port" \
  --log-level "$LOG_LEVEL" 2>"$tmp/remote-tcp.log" &
pids+=($!)
for m in $MODES; do wait_up "$m" http://localhost/_ping --unix-socket "$tmp/$m.sock"; done

run_load() { # mode scenario concurrency -> one JSON line
  timeout $(( ${DURATION%.*} + ${WARMUP%.*} + 60 )) "$LOAD" --unix "$tmp/$1.sock" \
    --scenario "$2" --concurrency "$3" --duration "$DURATION" --warmup "$WARMUP" \
    --json 2>>"$tmp/load.log" || echo '{"error":"load run failed or timed out"}'
}

echo "| scenario | mode | conc | req/s | p50 µs | p90 µs | p99 µs | non-2xx | errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for s in $SCENARIOS; do
  for c in $CONCURRENCY; do
    for m in $MODES; do
      run_load "$m" "$s" "$c" | jq -r --arg s "$s" --arg m "$m" --arg c "$c" '
        def n: if . == null then "-" else . end;
        "| \($s) | \($m) | \($c) | \(.requests_per_s | n) | \(.latency.p50_us | n) | \(.latency.p90_us | n) | \(.latency.p99_us | n) | \(.non_2xx | n) | \(.transport_errors | n) |"'
    done
  done
done

# docker run --rm alpine echo hi: RUNS timed runs per mode (after 3 warm-ups),
# interleaved so that the machine's drift hits every mode alike.
export DOCKER_CONFIG=$tmp/docker-config
for m in $MODES; do
  DOCKER_HOST=unix://$tmp/$m.sock docker pull -q alpine >/dev/null
  for _ in 1 2 3; do DOCKER_HOST=unix://$tmp/$m.sock docker run --rm alpine echo hi >/dev/null; done
done
for _ in $(seq "$RUNS"); do
  for m in $MODES; do
    s=$(date +%s%N)
    out=$(DOCKER_HOST=unix://$tmp/$m.sock docker run --rm alpine echo hi)
    e=$(date +%s%N)
    [[ $out == hi ]] || { echo "bench-remote.sh: $m: docker run printed '$out'" >&2; exit 1; }
    echo $(( (e - s) / 1000 )) >>"$tmp/run-$m.us"
  done
done
echo
echo "| \`docker run --rm alpine echo hi\` | runs | min ms | p50 ms | p90 ms | max ms |"
echo "|---|---:|---:|---:|---:|---:|"
for m in $MODES; do
  sort -n "$tmp/run-$m.us" | awk -v m="$m" '{ v[NR] = $1 } END {
    p50 = v[int((NR + 1) / 2)]; p90 = v[int(NR * 0.9 + 0.999)];
    printf "| %s | %d | %.1f | %.1f | %.1f | %.1f |\n", m, NR, v[1] / 1000, p50 / 1000, p90 / 1000, v[NR] / 1000 }'
done
echo
echo "daemons: $FRONT, $BACK (log level $LOG_LEVEL); load: duration ${DURATION}s, warm-up ${WARMUP}s; $(nproc) cores, clients and servers on the same machine"
