#!/usr/bin/env bash
# `docker run --rm alpine echo hi` with the real CLI against two daemons, interleaved:
# 3 warm-ups each, then N (default 50) timed runs of each, and `docker version`
# against the first for the CLI's own start-up cost. Prints median, p95, min, max.
#
#   scripts/bench-docker-run.sh unix:///tmp/d.sock unix:///tmp/sockerless-real-docker/docker.sock
set -euo pipefail
OURS=$1; REAL=$2; N=${N:-50}
t(){ local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e-s)/1000 )); }
for h in "$OURS" "$REAL"; do for i in 1 2 3; do DOCKER_HOST=$h docker run --rm alpine echo hi >/dev/null; done; done
: > /tmp/rb-ours; : > /tmp/rb-real; : > /tmp/rb-ver
for i in $(seq "$N"); do
  DOCKER_HOST=$OURS t docker run --rm alpine echo hi >> /tmp/rb-ours
  DOCKER_HOST=$REAL t docker run --rm alpine echo hi >> /tmp/rb-real
  DOCKER_HOST=$OURS t docker version >> /tmp/rb-ver
done
stat(){ sort -n "$1" | awk '{a[NR]=$1} END {printf "median %.1f ms  p95 %.1f ms  min %.1f  max %.1f\n", a[int((NR+1)/2)]/1000, a[int(NR*0.95+0.5)]/1000, a[1]/1000, a[NR]/1000}'; }
echo "ours:           $(stat /tmp/rb-ours)"
echo "real engine:    $(stat /tmp/rb-real)"
echo "docker version: $(stat /tmp/rb-ver)"
