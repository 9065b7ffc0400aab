#!/usr/bin/env bash
# A rollout task at national scale: a department of the national dataset sets every
# office below it a task, and its dashboard, exports and one unit's report are timed
# over HTTP beside a baseline of the same run (GET /api/v1/me: a signed-in request that
# reads one row). SQLite, loopback only.
#
#   bench/tasks.sh [N]        N service points (default 80000)
#
# Builds the release binary (NO_BUILD=1 to skip), makes once the national dataset of
# bench/run.sh in $BENCH_DIR, copies it, and signs in as a system administrator made for
# the run. Times, RUNS times each after a warm-up: the dashboard as JSON, as CSV and as
# the office's page, one unit's report (JSON) and the baseline; prints the medians and
# their ratios to the baseline, and writes bench/results/tasks.json. Measures, does not
# judge: exits 0 whatever the figures, non-zero only when a step fails.
#
# Environment: RUNS (10), PORT (18084), BENCH_DIR, DEPARTMENT (the department with the
# most offices when unset), NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
RUNS=${RUNS:-10}
PORT=${PORT:-18084}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
mkdir -p "$WORK" bench/results
. bench/common.sh

build_release
national_template

DB="$WORK/tasks-$N.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$TEMPLATE" "$DB"
for ext in wal shm; do [ ! -f "$TEMPLATE-$ext" ] || cp "$TEMPLATE-$ext" "$DB-$ext"; done
URL="sqlite://$DB"
if [ -z "${DEPARTMENT:-}" ]; then
  DEPARTMENT=$(python3 - "$DB" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT d.code FROM units d JOIN units o ON o.parent_id = d.id "
    "WHERE d.kind = 'department' AND o.kind <> 'service_point' "
    "GROUP BY d.code ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0])
PY
)
fi

trap stop_server EXIT
trap 'exit 130' INT TERM
ADMIN=benchtasks
PASSWORD="Bench-Tasks-2569-$(date +%s)"
CITIZENINFO_LOG=warn CITIZENINFO_ADMIN_PASSWORD="$PASSWORD" "$BIN/citizeninfo" --database-url "$URL" \
  admin create-admin --username "$ADMIN" --email "$ADMIN@bench.invalid" --first-name Bench --last-name Tasks
LOG="$WORK/tasks-server.log"
CITIZENINFO_LOG=warn "$BIN/citizeninfo" --database-url "$URL" serve --listen "127.0.0.1:$PORT" \
  --tile-url "" >"$LOG" 2>&1 &
SERVER=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 240); do
  curl -fs "$BASE/readyz" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { echo "tasks: the server did not start:" >&2; cat "$LOG" >&2; exit 2; }
  sleep 0.5
done
JAR="$WORK/tasks-cookies.txt"
rm -f "$JAR"
curl -fs -c "$JAR" -H 'Content-Type: application/json' \
  -d "{\"username\": \"$ADMIN\", \"password\": \"$PASSWORD\"}" "$BASE/api/v1/auth/login" >/dev/null

TODAY=$(TZ=Asia/Bangkok date +%F)
DEADLINE=$(TZ=Asia/Bangkok date -d '+14 days' +%F)
ID=$(curl -fs -b "$JAR" -H 'Content-Type: application/json' -d "{
  \"issuer\": \"$DEPARTMENT\", \"title\": \"การดำเนินการระบบ CITIZENinfo\",
  \"letter_number\": \"ที่ มท ๐๔๐๐/ว๑\", \"letter_date\": \"$TODAY\", \"body\": \"ขอให้ดำเนินการตามรายการ\",
  \"deadline\": \"$DEADLINE\", \"targets\": {\"by\": \"subtree\", \"root\": \"$DEPARTMENT\"},
  \"checklist\": [{\"kind\": \"signed_up\"}, {\"kind\": \"data_checked\"}, {\"kind\": \"photo\"},
                  {\"kind\": \"manuals\", \"manual_ids\": [1]}, {\"kind\": \"poster\"}]}" \
  "$BASE/api/v1/staff/tasks" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
ISSUE_S=$(curl -fs -o "$WORK/tasks-issued.json" -w '%{time_total}' -b "$JAR" -X POST "$BASE/api/v1/staff/tasks/$ID/issue")
UNITS=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["units"]))' "$WORK/tasks-issued.json")
UNIT=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["units"][0])' "$WORK/tasks-issued.json")
echo "task $ID of $DEPARTMENT issued to $UNITS units in ${ISSUE_S} s" >&2

# Medians of RUNS timed requests after one warm-up, in milliseconds.
median_ms() {
  curl -fs -o /dev/null -b "$JAR" "$1"
  for _ in $(seq 1 "$RUNS"); do
    curl -fs -o /dev/null -b "$JAR" -w '%{time_total}\n' "$1"
  done | sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m * 1000}'
}
ME=$(median_ms "$BASE/api/v1/me")
JSON=$(median_ms "$BASE/api/v1/staff/tasks/$ID/units")
CSV=$(median_ms "$BASE/api/v1/staff/tasks/$ID/units?format=csv")
PAGE=$(median_ms "$BASE/staff/tasks/$ID")
REPORT=$(median_ms "$BASE/api/v1/staff/tasks/$ID/units/$UNIT/report")
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")

COMMIT="$COMMIT" python3 - bench/results/tasks.json "$N" "$UNITS" "$ISSUE_S" "$ME" "$JSON" "$CSV" "$PAGE" "$REPORT" "$RSS_KB" "$RUNS" <<'PY'
import json, os, sys
out, n, units, issue, me, js, csv, page, report, rss, runs = sys.argv[1:]
me = float(me)
rows = {"dashboard_json": float(js), "dashboard_csv": float(csv), "dashboard_page": float(page),
        "one_unit_report": float(report)}
doc = {"commit": os.environ["COMMIT"], "service_points": int(n), "target_units": int(units),
       "runs": int(runs), "issue_s": float(issue), "baseline_me_ms": me,
       "median_ms": rows, "ratio_to_baseline": {k: round(v / me, 1) for k, v in rows.items()},
       "server_rss_mb": round(int(rss) / 1024)}
json.dump(doc, open(out, "w"), indent=1)
print(f"{units} target units of {n} service points; issued in {float(issue):.2f} s; baseline GET /api/v1/me {me:.1f} ms")
for k, v in rows.items():
    print(f"  {k:16} median {v:8.1f} ms  ×{v / me:6.1f}")
print(f"  server RSS {doc['server_rss_mb']} MB")
PY
