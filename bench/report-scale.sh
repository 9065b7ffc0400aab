#!/usr/bin/env bash
# The satisfaction reports of a department of 80,000 service points over a fiscal year
# of 10 million ratings, on SQLite and on PostgreSQL, loopback only.
#
#   bench/report-scale.sh [N]        N service points (default 80000)
#
# Builds the release binary and the load generator; makes (once, kept in $BENCH_DIR) a
# copy of the national dataset of bench/run.sh with every office moved under one
# department and a year of ratings with their rollups (`report-scale seed`: about 6
# minutes and 6 GB on SQLite, 17 minutes on PostgreSQL); then times the preliminary and
# summary reports of the department for fy2569 and for May 2026, 20 runs each after a
# warm-up, in process (the use cases the API calls) and over HTTP (signed in as a
# system administrator made for the run), beside baselines of the same run: SELECT 1,
# the report's own node and rights lookup, and GET /api/v1/me. Results:
# bench/results/report-scale.json and a table. Measures, does not judge: exits 0
# whatever the figures, non-zero only when a step fails.
#
# Environment: DATABASES ("sqlite postgres"), PG_URL (postgres://postgres@127.0.0.1:5432;
# the database citizeninfo_bench_scale is made there and kept, like the SQLite file,
# for the next run), RATINGS (10000000), COMMENTS_PER_MILLE (100), RUNS (20), PERIODS
# ("fy2569,2026-05"), PORT (18083), BENCH_DIR, NO_BUILD=1, RESEED=1 (seed afresh).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
DATABASES=${DATABASES:-sqlite postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
RATINGS=${RATINGS:-10000000}
COMMENTS_PER_MILLE=${COMMENTS_PER_MILLE:-100}
RUNS=${RUNS:-20}
PERIODS=${PERIODS:-fy2569,2026-05}
PORT=${PORT:-18083}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
DEPARTMENT=9020000000000
mkdir -p "$WORK" bench/results
. bench/common.sh
# SQLite's sorter spills to files: next to the database rather than a small /tmp.
export SQLITE_TMPDIR=${SQLITE_TMPDIR:-$WORK}

build_release
national_template

trap stop_server EXIT
trap 'exit 130' INT TERM

ADMIN=benchreports
ADMIN_PASSWORD="Bench-Reports-2569-$(date +%s)"
RESULTS=()
for dbkind in $DATABASES; do
  case $dbkind in
    sqlite)
      DB="$WORK/report-scale-$N.db"
      URL="sqlite://$DB"
      if [ "${RESEED:-}" = 1 ] || [ ! -f "$DB.seeded" ]; then
        rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.seeded"
        cp "$TEMPLATE" "$DB"
        for ext in wal shm; do [ ! -f "$TEMPLATE-$ext" ] || cp "$TEMPLATE-$ext" "$DB-$ext"; done
        /usr/bin/time -f "seed: %e s, %M KB max RSS" "$BIN/report-scale" seed --database-url "$URL" \
          --department "$DEPARTMENT" --ratings "$RATINGS" --comments-per-mille "$COMMENTS_PER_MILLE"
        touch "$DB.seeded"
      fi
      echo "report-scale: SQLite file $(du -h "$DB" | cut -f1)" >&2
      ;;
    postgres)
      URL="$PG_URL/citizeninfo_bench_scale"
      if [ "${RESEED:-}" = 1 ] || [ "$("$BIN/ratings" count --database-url "$URL" 2>/dev/null || echo 0)" -lt "$RATINGS" ]; then
        "$BIN/ratings" createdb --url "$URL"
        echo "report-scale: loading $N service points into PostgreSQL…" >&2
        CITIZENINFO_LOG=warn "$BIN/citizeninfo" --database-url "$URL" seed-demo --national "$N"
        /usr/bin/time -f "seed: %e s, %M KB max RSS" "$BIN/report-scale" seed --database-url "$URL" \
          --department "$DEPARTMENT" --ratings "$RATINGS" --comments-per-mille "$COMMENTS_PER_MILLE"
      fi
      ;;
    *) echo "report-scale: unknown database $dbkind" >&2; exit 2 ;;
  esac
  # A system administrator may read every report. Made anew each run (its name with
  # the run's time), so that a kept database needs no password from an earlier one.
  USER_NAME="$ADMIN$(date +%s)"
  CITIZENINFO_LOG=warn CITIZENINFO_ADMIN_PASSWORD="$ADMIN_PASSWORD" "$BIN/citizeninfo" --database-url "$URL" \
    admin create-admin --username "$USER_NAME" --email "$USER_NAME@bench.invalid" --first-name Bench --last-name Reports
  LOG="$WORK/report-scale-$dbkind-server.log"
  CITIZENINFO_LOG=warn "$BIN/citizeninfo" --database-url "$URL" serve --listen "127.0.0.1:$PORT" \
    --tile-url "" >"$LOG" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { echo "report-scale: the server did not start:" >&2; cat "$LOG" >&2; exit 2; }
    sleep 0.5
  done
  JAR="$WORK/report-scale-cookies.txt"
  rm -f "$JAR"
  curl -fs -c "$JAR" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$USER_NAME\", \"password\": \"$ADMIN_PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" >/dev/null
  COOKIE="citizeninfo_session=$(awk '$6 == "citizeninfo_session" {print $7}' "$JAR")"
  RESULTS+=("$("$BIN/report-scale" time --database-url "$URL" --department "$DEPARTMENT" --runs "$RUNS" \
    --periods "$PERIODS" --server "127.0.0.1:$PORT" --cookie "$COOKIE" --label "$dbkind")")
  stop_server
done

COMMIT="$COMMIT" python3 - bench/results/report-scale.json "$N" "${RESULTS[@]}" <<'PY'
import json, sys
out, n, runs = sys.argv[1], int(sys.argv[2]), [json.loads(a) for a in sys.argv[3:]]
import os
json.dump({"commit": os.environ["COMMIT"], "service_points": n, "goal_ms": 200, "databases": runs}, open(out, "w"), indent=1, ensure_ascii=False)
for r in runs:
    print(f"\n{r['database']}: department {r['department']}, {r['ratings']:,} ratings")
    print(f"{'':<56}{'via':<12}{'median ms':>10}{'p95 ms':>10}  detail")
    for t in r["timings"]:
        name = t["name"] + (f" {t['period']}" if "period" in t else "")
        extra = []
        for k in ("ratings", "children", "areas", "trend_points", "comments_in_period", "bytes"):
            if k in t:
                extra.append(f"{k} {t[k]:,}")
        s = t["stats"]
        print(f"{name:<56}{t['via']:<12}{s['median_ms']:>10.2f}{s['p95_ms']:>10.2f}  {', '.join(extra)}")
print("\ngoal: ≤ 200 ms")
PY
