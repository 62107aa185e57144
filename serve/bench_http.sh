#!/usr/bin/env bash
# wsvm serve against `jco serve --isolate-requests instance` (node) on the same wasi:http
# component (default: the componentize-js handler of tests/serve), then wsvm serve alone on
# the hand-written handler; wrk on core 0, each server on core 1, 127.0.0.1, one after the
# other in the same run. Not a test: figures for serve/README.md.
# Usage: serve/bench_http.sh BUILD_DIR [DURATION] [CONNECTIONS]
set -euo pipefail
build=${1:?usage: bench_http.sh BUILD_DIR [DURATION] [CONNECTIONS]}
duration=${2:-10s}
conns=${3:-8}
here=$(cd "$(dirname "$0")/.." && pwd)
jco="$here/../npm/node_modules/.bin/jco"
js="$build/tests/serve/http_js_handler.wasm"
wat="$build/tests/serve/http_handler.wasm"
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)"; exit 1; }
[ -f "$js" ] && [ -f "$wat" ] || ninja -C "$build" tests/serve/http_js_handler.wasm tests/serve/http_handler.wasm >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() {  # NAME URL
  echo "== $1: wrk -t1 -c$conns -d$duration $2"
  taskset -c 0 wrk -t1 -c"$conns" -d"$duration" --latency "$2" | grep -E "Requests/sec|Latency |50%|99%|Non-2xx|Socket errors"
}
serve_wsvm() {  # ENGINE COMPONENT NAME
  local out; out=$(mktemp)
  taskset -c 1 "$build/cli/wsvm" serve --quiet --engine "$1" --addr 127.0.0.1:0 "$2" >"$out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 100); do grep -q Serving "$out" && break; sleep 0.1; done
  local url; url=$(sed -n 's/^Serving HTTP on \(.*\)$/\1/p' "$out")
  curl -s -o /dev/null "$url"  # the first request compiles the core modules
  load "$3" "$url"
  echo "   peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2, $3}')"
  kill $pid; wait $pid 2>/dev/null || true; rm -f "$out"
}
serve_wsvm jit "$js" "wsvm serve --engine jit, componentize-js handler"
serve_wsvm interp "$js" "wsvm serve --engine interp, componentize-js handler"
if [ -x "$jco" ]; then
  p=$(port)
  taskset -c 1 "$jco" serve --isolate-requests instance --host 127.0.0.1 --port "$p" "$js" >/dev/null 2>&1 &
  jpid=$!
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.2; done
  load "jco serve --isolate-requests instance, componentize-js handler" "http://127.0.0.1:$p/"
  # jco serve leaves a child node process: end the group it started, by its pids.
  for c in $(pgrep -P $jpid); do kill "$c" 2>/dev/null || true; done
  kill $jpid 2>/dev/null || true
fi
serve_wsvm jit "$wat" "wsvm serve --engine jit, hand-written handler"
serve_wsvm interp "$wat" "wsvm serve --engine interp, hand-written handler"
