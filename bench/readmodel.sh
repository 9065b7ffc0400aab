#!/usr/bin/env bash
# The read model at national scale: one incremental update against one full build, and
# resident memory through a burst of edits, in the portal's state and in a serving
# portal that takes the edits as another instance's.
#
#   bench/readmodel.sh [N]      N service points (default 80000)
#
# Builds the release binaries and loads the national data into a SQLite file (the same
# one bench/run.sh uses, kept in /tmp/citizeninfo-bench; the edits made here stay in
# it, which changes nothing the other benchmark measures). Then:
#  1. bench/loadgen's `readmodel` in one process holding the portal's state
#     (`web::AppState`): 1,000 updates of one service point each in memory
#     (`Directory::apply`), chained; 1,000 edits committed one per transaction as the
#     back office commits them (the point, the data version, the row naming the point),
#     each followed by `refresh()` as the back office calls it after a save, with a
#     thread searching meanwhile; full builds (`Directory::build` of a fresh snapshot)
#     beside the loaded directory.
#  2. The portal served with CITIZENINFO_REFRESH_SECONDS=1 under 200 requests/s of the
#     near and page scenarios, while `readmodel --write-only` commits 1,000 edits at
#     20 a second from another process: the portal's resident memory each second, and
#     how long after the last commit it shows the last version.
# Results go to bench/results/readmodel.json and the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
EDITS=${EDITS:-1000}
BUILDS=${BUILDS:-5}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
PORT=${PORT:-18090}
mkdir -p "$WORK" bench/results

cargo build --release -j2 -p citizeninfo -p citizeninfo-loadgen
BIN=${CARGO_TARGET_DIR:-target}/release
DB="$WORK/national-$N.db"
if [ ! -f "$DB" ]; then
  echo "Loading $N service points into $DB…" >&2
  "$BIN/citizeninfo" --database-url "sqlite://$DB" seed-demo --national "$N"
fi
CITIZENINFO_LOG=warn "$BIN/readmodel" --database "$DB" --points "$N" --edits "$EDITS" --builds "$BUILDS" \
  > "$WORK/readmodel-state.json"

CITIZENINFO_LOG=warn CITIZENINFO_REFRESH_SECONDS=1 "$BIN/citizeninfo" --database-url "sqlite://$DB" \
  serve --listen "127.0.0.1:$PORT" --tile-url "" &
SERVER=$!
LOAD=""
trap 'kill $SERVER $LOAD 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
rss() { awk '/VmRSS/{print $2}' "/proc/$SERVER/status"; }
python3 - "$WORK" "$N" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(2564)
with open(f"{work}/edits-load.txt", "w") as f:
    for _ in range(500):
        lat, lon = rnd.uniform(6.0, 20.0), rnd.uniform(98.0, 105.0)
        f.write(f"/api/v1/service-points?near={lat:.5f},{lon:.5f}&per_page=20\n")
        f.write(f"/sp/904{rnd.randrange(n):010d}\n")
PY
LOADED=$(rss)
SECONDS_OF_EDITS=$(( EDITS / 20 + 5 ))
"$BIN/loadgen" --addr "127.0.0.1:$PORT" --paths "$WORK/edits-load.txt" --rate 200 --seconds "$SECONDS_OF_EDITS" \
  --connections 8 --label edits-load > "$WORK/edits-load.json" &
LOAD=$!
"$BIN/readmodel" --database "$DB" --points "$N" --edits "$EDITS" --write-only 20 &
WRITER=$!
MAX=$LOADED
while kill -0 $WRITER 2>/dev/null; do r=$(rss); [ "$r" -gt "$MAX" ] && MAX=$r; sleep 1; done
wait $WRITER
DONE=$(date +%s.%N)
WANT=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT version FROM data_version').fetchone()[0])" "$DB")
until curl -fs "http://127.0.0.1:$PORT/metrics" | grep -q "^citizeninfo_directory_version $WANT\$"; do sleep 0.05; done
SHOWN=$(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 2))" "$DONE")
wait $LOAD || true
LOAD=""
python3 - "$WORK" "$LOADED" "$MAX" "$(rss)" "$SHOWN" <<'PY' | tee bench/results/readmodel.json
import json, sys
work, loaded, peak, after, shown = sys.argv[1], *map(float, sys.argv[2:])
state = json.load(open(f"{work}/readmodel-state.json"))
load = json.load(open(f"{work}/edits-load.json"))
state["served_portal"] = {
    "rss_mb_after_load": round(loaded / 1024, 1),
    "rss_mb_max_during_edits": round(peak / 1024, 1),
    "rss_mb_after_edits": round(after / 1024, 1),
    "seconds_from_last_commit_to_shown": shown,
    "requests_during_edits": {k: load[k] for k in ("ok", "errors", "p50_ms", "p99_ms", "max_ms")},
}
print(json.dumps(state, indent=2))
PY
