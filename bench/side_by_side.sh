#!/usr/bin/env bash
# Issue 16 §6: Guichet beside pretix on the same job, same machine, one sitting, with the shared
# harness (../shared/anchors, read-only: copied to a scratch folder first). One session of 1,000
# places, 2,000 attempts of 1-3 tickets, paid, from 1, 8 and 32 clients (Python client), then
# sustained runs with wrk. Needs wrk (`apt-get install wrk`) and PyPI (pretix goes into a venv).
#
#   bash bench/side_by_side.sh                 # pretix (PostgreSQL) then Guichet (SQLite, PostgreSQL)
#   SKIP_PRETIX=1 bash bench/side_by_side.sh   # Guichet only (compare with an earlier pretix run)
#
# The table goes to $SCRATCH/anchors/compare.md; bench/RESULTS.md keeps the runs so far.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
anchors="${ANCHORS:-$repo/../shared/anchors}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/guichet/target}"
SCRATCH="${SCRATCH:-$(mktemp -d)}"

echo "==> cargo build --release" >&2
(cd "$repo" && cargo build --release --quiet)
bin="$SCRATCH/guichet"
cp "$CARGO_TARGET_DIR/release/guichet" "$bin"

cp -r "$anchors" "$SCRATCH/"
cd "$SCRATCH/anchors"
# The harness's setup read the API's lists as bare arrays; they are pages since issue 15 §6.
patch -s -p1 < "$repo/bench/anchors-paged-lists.patch"

if [ "${SKIP_PRETIX:-0}" != 1 ]; then
  (cd pretix && DBS=pg LEVELS="1 8 32" WAIT_IDLE=30 ./run.sh)
else
  # guichet_run.sh uses the pretix venv's Python (aiohttp, psycopg2) for its client.
  [ -x pretix/.venv/bin/python ] || { python3 -m venv pretix/.venv && pretix/.venv/bin/pip install -q aiohttp psycopg2-binary; }
fi
GUICHET_BIN="$bin" DBS="sqlite pg" WAIT_IDLE=20 ./guichet_run.sh
runs() { tail -1 "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])'; }
if [ "${SKIP_PRETIX:-0}" != 1 ]; then
  python3 make_compare.py "$(runs pretix/results/summary.jsonl)" "$(runs guichet-results/summary.jsonl)" > compare.md
  echo "==> $SCRATCH/anchors/compare.md" >&2
fi
