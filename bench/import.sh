#!/usr/bin/env bash
# The bulk import at national scale: loads N synthetic service points (default 80,000)
# and the demo data into a fresh SQLite file, exports the staff listing as CSV and XLSX
# through the API (as a system administrator), then imports them with the command
# line: a dry run of each, a real run of the unchanged CSV (nothing to write), and a
# real run of a CSV in which every line's note on the hours changed (every point
# written, with its history record, in one transaction). Prints one line per run:
# the import's own time and rows per second (from the command's summary line), the
# whole command's wall time and its peak RSS (GNU time).
#
#   bench/import.sh [N]            build, then measure
#   NO_BUILD=1 bench/import.sh     the binary as it is in ${CARGO_TARGET_DIR:-target}/release
#   KEEP=1 bench/import.sh         keep the temp dir (database, files, server log)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
BIN=${CARGO_TARGET_DIR:-target}/release/citizeninfo
[ -n "${NO_BUILD:-}" ] || cargo build --release -j2 -p citizeninfo
DIR=$(mktemp -d /tmp/citizeninfo-import-bench.XXXXXX)
SERVER=
cleanup() {
  [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $DIR" >&2 || rm -rf "$DIR"
}
trap cleanup EXIT
export CITIZENINFO_DATABASE_URL="sqlite://$DIR/bench.db" CITIZENINFO_LOG=warn
PASSWORD=Bench2026import

echo "loading $N service points…" >&2
"$BIN" seed-demo --national "$N"
CITIZENINFO_ADMIN_PASSWORD=$PASSWORD "$BIN" admin create-admin --username benchadmin \
  --email bench@example.go.th --first-name ทดสอบ --last-name นำเข้า

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --listen "127.0.0.1:$PORT" --tile-url '' >"$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.5
done
curl -sf -c "$DIR/jar" -H 'content-type: application/json' \
  -d "{\"username\":\"benchadmin\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/v1/auth/login" >/dev/null
for f in csv xlsx; do
  start=$(date +%s.%N)
  curl -sf -b "$DIR/jar" -o "$DIR/points.$f" "http://127.0.0.1:$PORT/api/v1/staff/service-points?format=$f"
  printf 'export %-4s %8.1f s  %s bytes\n' "$f" "$(echo "$(date +%s.%N) - $start" | bc)" "$(stat -c %s "$DIR/points.$f")"
done
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=

# Every line's note on the hours changed: each point is written. The synthetic points
# are scattered around their district's centre, some across its boundary, which a save
# must confirm, as the form asks: the file confirms them all.
python3 - "$DIR/points.csv" "$DIR/changed.csv" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
heads = [h.split(" / ")[0] for h in rows[0]]
note, confirm = heads.index("หมายเหตุเวลาทำการ"), heads.index("ยืนยันหมุดนอกอำเภอตามที่อยู่")
for r in rows[1:]:
    r[note] = (r[note] + " (ปรับปรุงข้อมูล)").strip()
    r[confirm] = "ใช่"
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(rows)
PY

run() {
  local label=$1
  shift
  /usr/bin/time -f '%e %M' -o "$DIR/time" "$BIN" import "$@" >"$DIR/out" 2>"$DIR/err" ||
    [ -n "${ALLOW_REFUSED:-}" ] || {
    cat "$DIR/out" "$DIR/err" >&2
    exit 1
  }
  local summary secs wall rss rows
  summary=$(head -1 "$DIR/out")
  rows=$(sed -E 's/.*rows ([0-9]+).*/\1/' <<<"$summary")
  secs=$(sed -E 's/.*\(([0-9.]+) s\).*/\1/' <<<"$summary")
  # GNU time writes "Command exited with non-zero status" first when it did.
  read -r wall rss < <(tail -1 "$DIR/time")
  printf '%-26s %7s rows  import %6.1f s  %7.0f rows/s  wall %6.1f s  peak RSS %5d MB\n' \
    "$label" "$rows" "$secs" "$(echo "$rows / $secs" | bc -l)" "$wall" "$((rss / 1024))"
}
run "dry run, CSV" --format csv "$DIR/points.csv" --dry-run
run "dry run, XLSX" --format xlsx "$DIR/points.xlsx" --dry-run
run "real, CSV unchanged" --format csv "$DIR/points.csv"
run "real, XLSX unchanged" --format xlsx "$DIR/points.xlsx"
ALLOW_REFUSED=1 run "dry run, CSV all changed" --format csv "$DIR/changed.csv" --dry-run
# A few synthetic points lie at sea (off coastal districts), which no save accepts: the
# dry run names them, and their lines go back as exported.
python3 - "$DIR/points.csv" "$DIR/changed.csv" "$DIR/out" <<'PY'
import csv, re, sys
refused = {int(m.group(1)) for m in re.finditer(r"^\s*(\d+) │", open(sys.argv[3], encoding="utf-8").read(), re.M)}
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    original = list(csv.reader(f))
with open(sys.argv[2], encoding="utf-8-sig", newline="") as f:
    changed = list(csv.reader(f))
for row in refused:
    changed[row - 1] = original[row - 1]
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f).writerows(changed)
print(f"{len(refused)} refused lines put back as exported", file=sys.stderr)
PY
run "real, CSV all changed" --format csv "$DIR/changed.csv"
