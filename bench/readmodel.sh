#!/usr/bin/env bash
# The read model at national scale: one incremental update against one full build, and
# the resident memory of the portal's state through a burst of edits.
#
#   bench/readmodel.sh [N]      N service points (default 80000)
#
# Builds the release binaries, loads the national data into a SQLite file (the same one
# bench/run.sh uses, kept in /tmp/citizeninfo-bench; edits made here stay in it, which
# changes nothing the other benchmark measures), then runs bench/loadgen's `readmodel`:
#   - 1,000 updates of one service point each in memory (`Directory::apply`), chained;
#   - 1,000 edits committed one per transaction as the back office commits them
#     (the point, the data version, the row naming the point), each followed by
#     `refresh()` as the back office calls it after a save, with a thread searching
#     meanwhile;
#   - full builds (`Directory::build` of a fresh snapshot), the loaded directory kept.
# Results go to bench/results/readmodel.json and the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
EDITS=${EDITS:-1000}
BUILDS=${BUILDS:-5}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
mkdir -p "$WORK" bench/results

cargo build --release -j2 -p citizeninfo -p citizeninfo-loadgen
BIN=${CARGO_TARGET_DIR:-target}/release
DB="$WORK/national-$N.db"
if [ ! -f "$DB" ]; then
  echo "Loading $N service points into $DB…" >&2
  "$BIN/citizeninfo" --database-url "sqlite://$DB" seed-demo --national "$N"
fi
CITIZENINFO_LOG=warn "$BIN/readmodel" --database "$DB" --points "$N" --edits "$EDITS" --builds "$BUILDS" \
  | tee bench/results/readmodel.json
