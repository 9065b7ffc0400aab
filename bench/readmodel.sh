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
#  2. The portal served with CITIZENINFO_REFRESH_SECONDS=1 under RATE (default 1,000)
#     requests/s of the near and page scenarios of bench/run.sh, in ROUNDS (default 5)
#     rounds: the load alone for 10 s (the baseline), then for 10 s again while
#     `readmodel --write-only` commits a fifth of the 1,000 edits at 20 a second from
#     another process. The public latency of both, the p99 ratio of each round and
#     their median, the portal's resident memory each second, and how long after the
#     last commit it shows the last version.
# Results go to bench/results/readmodel.json and the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
EDITS=${EDITS:-1000}
BUILDS=${BUILDS:-5}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
PORT=${PORT:-18090}
RATE=${RATE:-1000}
mkdir -p "$WORK" bench/results

cargo build --release -j2 -p citizeninfo -p citizeninfo-loadgen
BIN=${CARGO_TARGET_DIR:-target}/release
DB="$WORK/national-$N.db"
if [ ! -f "$DB" ]; then
  echo "Loading $N service points into $DB…" >&2
  "$BIN/citizeninfo" --database-url "sqlite://$DB" seed-demo --national "$N"
fi
# SERVED_ONLY=1 keeps the in-process figures of the previous run and measures part 2.
if [ -z "${SERVED_ONLY:-}" ] || [ ! -f "$WORK/readmodel-state.json" ]; then
  CITIZENINFO_LOG=warn "$BIN/readmodel" --database "$DB" --points "$N" --edits "$EDITS" --builds "$BUILDS" \
    > "$WORK/readmodel-state.json"
fi

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
# Rounds of the same load alone and then beside a share of the edits, so that what
# the machine does meanwhile (it is shared) falls on both alike; the ratio of each
# round's p99s, and their median, say what the edits cost the public side.
ROUNDS=${ROUNDS:-5}
PER_ROUND=$(( EDITS / ROUNDS ))
SECONDS_PER_ROUND=$(( PER_ROUND / 20 ))
LOADED=$(rss)
MAX=$LOADED
for round in $(seq 1 "$ROUNDS"); do
  "$BIN/loadgen" --addr "127.0.0.1:$PORT" --paths "$WORK/edits-load.txt" --rate "$RATE" \
    --seconds "$SECONDS_PER_ROUND" --connections 8 --label "baseline#$round" > "$WORK/baseline-$round.json"
  "$BIN/loadgen" --addr "127.0.0.1:$PORT" --paths "$WORK/edits-load.txt" --rate "$RATE" \
    --seconds "$SECONDS_PER_ROUND" --connections 8 --label "edits#$round" > "$WORK/edits-$round.json" &
  LOAD=$!
  "$BIN/readmodel" --database "$DB" --points "$N" --edits "$PER_ROUND" --write-only 20 &
  WRITER=$!
  while kill -0 $WRITER 2>/dev/null; do r=$(rss); [ "$r" -gt "$MAX" ] && MAX=$r; sleep 1; done
  wait $WRITER
  DONE=$(date +%s.%N)
  wait $LOAD || true
  LOAD=""
done
WANT=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT version FROM data_version').fetchone()[0])" "$DB")
until curl -fs "http://127.0.0.1:$PORT/metrics" | grep -q "^citizeninfo_directory_version $WANT\$"; do sleep 0.05; done
SHOWN=$(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 2))" "$DONE")
python3 - "$WORK" "$LOADED" "$MAX" "$(rss)" "$SHOWN" "$ROUNDS" <<'PY' | tee bench/results/readmodel.json
import json, statistics, sys
work, loaded, peak, after, shown, rounds = sys.argv[1], *map(float, sys.argv[2:])
state = json.load(open(f"{work}/readmodel-state.json"))
keys = ("ok", "errors", "p50_ms", "p99_ms", "max_ms")
base = [json.load(open(f"{work}/baseline-{r}.json")) for r in range(1, int(rounds) + 1)]
load = [json.load(open(f"{work}/edits-{r}.json")) for r in range(1, int(rounds) + 1)]
ratios = [round(e["p99_ms"] / b["p99_ms"], 2) for b, e in zip(base, load)]
state["served_portal"] = {
    "rss_mb_after_load": round(loaded / 1024, 1),
    "rss_mb_max_during_edits": round(peak / 1024, 1),
    "rss_mb_after_edits": round(after / 1024, 1),
    "seconds_from_last_commit_to_shown": shown,
    "rate": load[0]["target_rate"],
    "rounds": [
        {"before_edits": {k: b[k] for k in keys}, "during_edits": {k: e[k] for k in keys}}
        for b, e in zip(base, load)
    ],
    "p99_during_over_before": ratios,
    "p99_during_over_before_median": statistics.median(ratios),
}
print(json.dumps(state, indent=2))
PY
