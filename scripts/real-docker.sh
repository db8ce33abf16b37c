#!/usr/bin/env bash
# A real Docker Engine on this machine, for comparison only (never a CI
# dependency): Debian 13's docker.io 26.1 (API 1.45, accepts 1.44) and
# containerd, unpacked privately with dpkg-deb (the system's packages are left
# alone), runc, tini and busybox-static from Debian 12. It listens on a
# temporary Unix socket with its own data and exec roots and no iptables rules.
# No registry is reachable, so alpine:latest, alpine:3.10 and busybox:latest are
# built offline from busybox-static with `docker import`.
#
#   scripts/real-docker.sh start   # download (once), start, import the images
#   scripts/real-docker.sh env     # prints: export DOCKER_HOST=unix://…
#   scripts/real-docker.sh stop    # stops it by its pid file
#
# SOCKERLESS_REAL_DOCKER_DIR (default /tmp/sockerless-real-docker) holds
# everything: the .debs, the unpacked binaries, the data root and the socket.
set -euo pipefail

dir=${SOCKERLESS_REAL_DOCKER_DIR:-/tmp/sockerless-real-docker}
sock="$dir/docker.sock"
pidfile="$dir/dockerd.pid"

fetch() {
  mkdir -p "$dir/apt/lists" "$dir/apt/cache/archives/partial" "$dir/debs"
  local trixie="$dir/apt/trixie.list"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$trixie"
  local apto=(-o "Dir::Etc::SourceList=$trixie" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache" -o Debug::NoLocking=1)
  apt-get "${apto[@]}" update >/dev/null
  (cd "$dir/debs" && apt-get "${apto[@]}" download docker.io containerd 2>/dev/null)
  # runc, tini and busybox-static from the machine's own suite (Debian 12).
  apt-get update >/dev/null 2>&1 || true
  (cd "$dir/debs" && apt-get download runc tini busybox-static 2>/dev/null)
  mkdir -p "$dir/root"
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
}

path() {
  echo "$dir/root/usr/bin:$dir/root/usr/sbin:$dir/root/bin:$PATH"
}

images() {
  local img="$dir/image"
  rm -rf "$img"
  mkdir -p "$img"/{bin,sbin,etc,tmp,root,var,usr/bin,usr/sbin}
  cp "$dir/root/bin/busybox" "$img/bin/busybox"
  for applet in $("$img/bin/busybox" --list-full); do
    [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$img/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$img/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$img/etc/group"
  printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.0\nPRETTY_NAME="Alpine Linux v3.19"\n' >"$img/etc/os-release"
  chmod 1777 "$img/tmp"
  for tag in alpine:latest alpine:3.10 busybox:latest; do
    tar -C "$img" -c . | DOCKER_HOST="unix://$sock" docker import \
      -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$tag" >/dev/null
  done
}

start() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "already running: DOCKER_HOST=unix://$sock"
    return
  fi
  [ -x "$dir/root/usr/sbin/dockerd" ] || fetch
  mkdir -p "$dir/data" "$dir/exec"
  PATH=$(path) setsid dockerd --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$pidfile" -H "unix://$sock" --iptables=false --ip6tables=false \
    >"$dir/dockerd.log" 2>&1 </dev/null &
  local deadline=$((SECONDS + 60))
  until DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "dockerd did not come up; see $dir/dockerd.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  images
  echo "running: DOCKER_HOST=unix://$sock"
}

stop() {
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  fi
  echo "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export DOCKER_HOST=unix://$sock" ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
