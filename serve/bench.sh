#!/usr/bin/env bash
# Requests per second and latency of `wsvm serve` (a fresh instance per request) with wrk,
# server and load generator pinned to different cores, 127.0.0.1. Not a test: figures for
# serve/README.md. Usage: serve/bench.sh BUILD_DIR [ENGINE] [DURATION]
set -euo pipefail
build=${1:?usage: bench.sh BUILD_DIR [ENGINE] [DURATION]}
engine=${2:-jit}
duration=${3:-10s}
wsvm="$build/cli/wsvm"
guest="$build/tests/container/serve_guest.wasm"
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)"; exit 1; }
[ -f "$guest" ] || ninja -C "$build" tests/container/serve_guest.wasm >/dev/null
out=$(mktemp)
taskset -c 1 "$wsvm" serve --quiet --engine "$engine" --addr 127.0.0.1:0 "$guest" >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q Serving "$out" && break; sleep 0.1; done
url=$(sed -n 's/^Serving HTTP on \(.*\)$/\1/p' "$out")
echo "wsvm serve --engine $engine ($guest), server on core 1, wrk on core 0"
for conns in 1 8 64; do
  echo "== wrk -t1 -c$conns -d$duration ${url}count"
  taskset -c 0 wrk -t1 -c"$conns" -d"$duration" --latency "${url}count" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx"
done
echo "== peak RSS of the server: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
