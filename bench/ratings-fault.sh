#!/usr/bin/env bash
# Acknowledged ratings across a crash: `kill -9` of the server during a burst of
# submissions, on SQLite and on PostgreSQL.
#
#   bench/ratings-fault.sh [N]        N service points (default 80000)
#
# For each database: a fresh one with the national dataset of bench/run.sh and a poster
# for every service point, the release server on it, and closed-loop clients that
# fetch forms and then POST ratings, each with the unique comment `bench-<n>`. A few
# seconds into the burst the server is killed with SIGKILL; the clients stop once they
# can no longer connect and write down what became of every marker (201, another
# answer, or no answer). The server is started again on the same database and the
# markers stored are compared: acknowledged, lost (acknowledged but not stored, must be
# 0), and those without an answer, stored or absent.
#
# A SIGKILL loses what the process held, not what the kernel had been handed: the test
# shows that a 201 is sent only after the commit, not what a power cut would keep (that
# rests on the synchronous=FULL sync of SQLite's log, or on PostgreSQL's own).
#
# Exits 1 when any acknowledged rating is lost, 2 when a server does not start. Results:
# bench/results/ratings-fault.json. About a minute per database plus the build.
#
# Environment: DATABASES ("sqlite postgres"), PG_URL (postgres://postgres@127.0.0.1:5432,
# where a database citizeninfo_bench_fault is made afresh and dropped after), CLIENTS
# (100), KILL_AFTER (3 seconds into the burst), POSTERS (5000 forms fetched), PORT
# (18082), BENCH_DIR, NO_BUILD=1, KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
DATABASES=${DATABASES:-sqlite postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
CLIENTS=${CLIENTS:-100}
KILL_AFTER=${KILL_AFTER:-3}
POSTERS=${POSTERS:-5000}
PORT=${PORT:-18082}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
mkdir -p "$WORK" bench/results
. bench/common.sh

build_release
national_template

PG_DB=citizeninfo_bench_fault
cleanup() {
  stop_server
  if [ "${KEEP:-}" != 1 ]; then
    rm -f "$WORK"/fault-$N.db "$WORK"/fault-$N.db-wal "$WORK"/fault-$N.db-shm
    if [[ " $DATABASES " == *" postgres "* ]]; then
      "$BIN/ratings" dropdb --url "$PG_URL/$PG_DB" || true
    fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() { # URL LOG
  CITIZENINFO_LOG=warn "$BIN/citizeninfo" --database-url "$1" serve --listen "127.0.0.1:$PORT" \
    --tile-url "" >>"$2" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.5
  done
  echo "fault: the server did not start on $1:" >&2
  tail -20 "$2" >&2
  exit 2
}

RESULTS=()
STATUS=0
for dbkind in $DATABASES; do
  case $dbkind in
    sqlite)
      DB="$WORK/fault-$N.db"
      rm -f "$DB" "$DB-wal" "$DB-shm"
      cp "$TEMPLATE" "$DB"
      for ext in wal shm; do [ ! -f "$TEMPLATE-$ext" ] || cp "$TEMPLATE-$ext" "$DB-$ext"; done
      URL="sqlite://$DB"
      ;;
    postgres)
      URL="$PG_URL/$PG_DB"
      "$BIN/ratings" createdb --url "$URL"
      echo "fault: loading $N service points into PostgreSQL…" >&2
      CITIZENINFO_LOG=warn "$BIN/citizeninfo" --database-url "$URL" seed-demo --national "$N"
      ;;
    *) echo "fault: unknown database $dbkind" >&2; exit 2 ;;
  esac
  LOG="$WORK/fault-$dbkind-server.log"
  : >"$LOG"
  "$BIN/ratings" posters --database-url "$URL" --out "$WORK/fault-posters.txt"
  start_server "$URL" "$LOG"
  FIRST=$SERVER
  rm -f "$WORK/fault-started" "$WORK/fault-markers.json"
  "$BIN/ratings" load --addr "127.0.0.1:$PORT" --tokens "$WORK/fault-posters.txt" --posters "$POSTERS" \
    --clients "$CLIENTS" --seconds 60 --markers "$WORK/fault-markers.json" \
    --started "$WORK/fault-started" --label "fault-$dbkind" >"$WORK/fault-load.json" &
  LOAD=$!
  for _ in $(seq 1 600); do [ -f "$WORK/fault-started" ] && break; sleep 0.1; done
  sleep "$KILL_AFTER"
  kill -9 "$FIRST"
  { wait "$FIRST"; } 2>/dev/null || true
  SERVER=
  echo "fault: $dbkind server killed $KILL_AFTER s into the burst" >&2
  wait "$LOAD"
  start_server "$URL" "$LOG"
  set +e
  CHECK=$("$BIN/ratings" check --database-url "$URL" --markers "$WORK/fault-markers.json" --label "$dbkind")
  rc=$?
  set -e
  [ $rc = 0 ] || STATUS=1
  RESULTS+=("$(python3 -c 'import json, sys; c = json.loads(sys.argv[1]); c["load"] = json.load(open(sys.argv[2])); print(json.dumps(c))' "$CHECK" "$WORK/fault-load.json")")
  stop_server
  echo "$CHECK" >&2
done

COMMIT="$COMMIT" python3 - bench/results/ratings-fault.json "$KILL_AFTER" "${RESULTS[@]}" <<'PY'
import json, sys
out, kill_after, runs = sys.argv[1], float(sys.argv[2]), [json.loads(a) for a in sys.argv[3:]]
import os
json.dump({"commit": os.environ["COMMIT"], "kill_after_seconds": kill_after, "runs": runs}, open(out, "w"), indent=1)
print(f"\n{'database':<10}{'acknowledged':>13}{'lost':>6}{'unacked stored':>16}{'unacked absent':>16}{'other answers':>15}{'rate/s':>8}")
for r in runs:
    l = r["load"]
    print(f"{r['label']:<10}{r['acknowledged']:>13}{r['lost']:>6}{r['unacknowledged_stored']:>16}"
          f"{r['unacknowledged_absent']:>16}{r['refused']:>15}{l['ok_per_second']:>8.0f}")
    if r["refused_but_stored"] or r["stored_twice"]:
        print(f"  {r['refused_but_stored']} refused ratings stored, {r['stored_twice']} markers stored twice")
lost = sum(r["lost"] for r in runs)
print("no acknowledged rating lost" if lost == 0 else f"{lost} ACKNOWLEDGED RATINGS LOST")
PY
exit $STATUS
