#!/usr/bin/env bash
# Startup benchmark: time from launching `guichet serve` on an existing (migrated)
# SQLite database to the first 200 from /healthz, idle resident memory, binary size.
#
#   bash bench/startup.sh            # 10 runs
#   RUNS=20 bash bench/startup.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/guichet/target}"
RUNS="${RUNS:-10}"
IDLE_SECONDS=5

echo "==> cargo build --release" >&2
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/guichet"

data="$(mktemp -d)"
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$data"
}
trap cleanup EXIT

export GUICHET_DATA_DIR="$data"
export GUICHET_LOG=warn
unset GUICHET_DATABASE_URL GUICHET_BIND
(cd "$data" && "$bin" migrate >/dev/null)

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

times=()
rss_kb=""
for i in $(seq 1 "$RUNS"); do
    port="$(free_port)"
    t0=$(date +%s%N)
    (cd "$data" && exec "$bin" serve --bind "127.0.0.1:$port" >/dev/null 2>>"$data/serve.log") &
    pid=$!
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = "200" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: guichet serve exited; log:" >&2
            cat "$data/serve.log" >&2
            exit 1
        fi
        sleep 0.002
    done
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
    if [ "$i" -eq 1 ]; then
        sleep "$IDLE_SECONDS"
        rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
    fi
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
done

sorted=($(printf '%s\n' "${times[@]}" | sort -n))
n=${#sorted[@]}
if [ $((n % 2)) -eq 1 ]; then
    median="${sorted[$((n / 2))]}"
else
    median=$(( (sorted[n / 2 - 1] + sorted[n / 2]) / 2 ))
fi
size_bytes="$(stat -c %s "$bin")"

echo "guichet $("$bin" --version | awk '{print $2}') release build, SQLite, $RUNS runs"
echo "startup to first /healthz 200: median ${median} ms, min ${sorted[0]} ms, max ${sorted[$((n - 1))]} ms (runs: ${times[*]})"
awk -v kb="$rss_kb" -v s="$IDLE_SECONDS" 'BEGIN { printf "idle RSS after %d s: %.1f MB\n", s, kb / 1024 }'
awk -v b="$size_bytes" 'BEGIN { printf "release binary size: %.1f MB (%d bytes)\n", b / 1048576, b }'
