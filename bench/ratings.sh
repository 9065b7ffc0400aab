#!/usr/bin/env bash
# Throughput of the rating path against the server's ceiling, on loopback only.
#
#   bench/ratings.sh [N]        N service points (default 80000)
#
# Builds the release binary and the load generator, copies the national dataset of
# bench/run.sh (made once, kept in $BENCH_DIR) to a fresh SQLite file, gives every
# service point a poster, and serves it. Then 100 closed-loop clients fetch a form token
# for every poster, wait until the newest is old enough to be sent back, and POST valid
# ratings to random posters for 30 s (a User-Agent of its own for every request, each
# connection from its own 127.x.y.z source address); then the same clients GET the
# fixed /_bench/ceiling for 30 s. Prints ratings acknowledged (201) per second, p50/p99,
# the other answers by status, the ceiling and the ratio, and where the server's CPU
# went; checks that the database holds at least as many new ratings as were
# acknowledged. Results: bench/results/ratings.json. About 90 s plus the build.
#
# Measures, does not judge: exits 0 whatever the figures, non-zero only when the server
# does not start or fewer ratings are stored than were acknowledged.
#
# Environment: CLIENTS (100), SECONDS_PER_RUN (30), PER_CONNECTION (10 requests on a
# connection before the next one from a new address; 1 for a connection per request),
# COMMENT_EVERY (5: one rating in 5 has a comment), POSTERS (0: a form for every
# poster), PORT (18081), BENCH_DIR (/tmp/citizeninfo-bench), NO_BUILD=1, KEEP=1 (keep the
# database copy and the server log), LOG_FILTER (the server's CITIZENINFO_LOG, default warn;
# `warn,citizeninfo_app::ratings=debug` logs each batch's size and time).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
CLIENTS=${CLIENTS:-100}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}
PER_CONNECTION=${PER_CONNECTION:-10}
COMMENT_EVERY=${COMMENT_EVERY:-5}
POSTERS=${POSTERS:-0}
PORT=${PORT:-18081}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
mkdir -p "$WORK" bench/results
. bench/common.sh

build_release
national_template
DB="$WORK/ratings-$N.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$TEMPLATE" "$DB"
for ext in wal shm; do [ ! -f "$TEMPLATE-$ext" ] || cp "$TEMPLATE-$ext" "$DB-$ext"; done
URL="sqlite://$DB"
"$BIN/ratings" posters --database-url "$URL" --out "$WORK/posters-$N.txt"
BEFORE=$("$BIN/ratings" count --database-url "$URL")

LOG="$WORK/ratings-server.log"
CITIZENINFO_LOG=${LOG_FILTER:-warn} "$BIN/citizeninfo" --database-url "$URL" serve --listen "127.0.0.1:$PORT" \
  --tile-url "" --bench-ceiling >"$LOG" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
  if [ "${KEEP:-}" != 1 ]; then rm -f "$DB" "$DB-wal" "$DB-shm"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { echo "ratings: the server did not start:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "ratings: the server is not ready" >&2; exit 1; }
echo "server ready, RSS $(awk '/VmRSS/{print $2" "$3}' /proc/$SERVER/status)" >&2

common=(--addr "127.0.0.1:$PORT" --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN"
  --per-connection "$PER_CONNECTION" --server-pid "$SERVER")
echo "rating for ${SECONDS_PER_RUN} s with $CLIENTS clients (after fetching the forms)…" >&2
RATINGS=$("$BIN/ratings" load "${common[@]}" --tokens "$WORK/posters-$N.txt" --posters "$POSTERS" \
  --comment-every "$COMMENT_EVERY" --label ratings)
# The ceiling answers a body of the size of a 201's.
BYTES=$(python3 -c 'import json; print(len(json.dumps({"stored": True, "message": "ขอบคุณที่ร่วมประเมินความพึงพอใจ / Thank you for rating the service"}, ensure_ascii=False).encode()))')
echo "ceiling for ${SECONDS_PER_RUN} s…" >&2
CEILING=$("$BIN/ratings" load "${common[@]}" --ceiling "$BYTES" --label ceiling)
RSS=$(awk '/VmRSS/{print $2}' /proc/$SERVER/status)
HWM=$(awk '/VmHWM/{print $2}' /proc/$SERVER/status)
WARNINGS=$(grep -cE ' (WARN|ERROR) ' "$LOG" || true)
# Stopped before counting, so that the count is of what survived the server.
kill "$SERVER"
for _ in $(seq 1 100); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
AFTER=$("$BIN/ratings" count --database-url "$URL")

OUT=bench/results/ratings.json
COMMIT="$COMMIT" python3 - "$OUT" "$N" "$BEFORE" "$AFTER" "$RSS" "$HWM" "$WARNINGS" "$RATINGS" "$CEILING" <<'PY'
import json, sys
out, n, before, after, rss, hwm, warnings = sys.argv[1], *map(int, sys.argv[2:8])
r, c = json.loads(sys.argv[8]), json.loads(sys.argv[9])
stored = after - before
import os
d = {
    "commit": os.environ["COMMIT"],
    "service_points": n,
    "database": "sqlite",
    "ratings": r,
    "ceiling": c,
    "ratio": round(r["ok_per_second"] / c["ok_per_second"], 4) if c["ok_per_second"] else None,
    "stored_before": before,
    "stored_after": after,
    "stored_new": stored,
    "stored_at_least_acknowledged": stored >= r["ok"],
    "server_rss_kb": rss,
    "server_peak_rss_kb": hwm,
    "server_warnings": warnings,
    "goal": {"ratings_per_second": 5000, "p99_ms": 50},
}
json.dump(d, open(out, "w"), indent=1, ensure_ascii=False)
f = r["form_fetch"]
print(f"\n{n} service points, {r['clients']} clients, {r['per_connection']} requests per connection, "
      f"{r['source_addresses']} source addresses")
print(f"form tokens: {f['form_tokens']} fetched in {f['seconds']} s ({f['per_second']:.0f}/s)")
def line(name, x):
    u = x["usage"]
    cpu = ""
    if "server_cpu_ms_per_ok" in u:
        cpu = f"; server {u['server_cores']} cores, {u['server_cpu_ms_per_ok']} ms CPU and {u['server_switches_per_ok']} context switches per answer"
    print(f"{name:<9}{x['ok_per_second']:>8.0f}/s  ({x['ok']} × {x['ok_status']} in {x['seconds']} s)  "
          f"p50 {x['p50_ms']} ms  p99 {x['p99_ms']} ms  max {x['max_ms']} ms{cpu}")
    others = dict(x["other_statuses"])
    if x["no_answer"]:
        others["no answer"] = x["no_answer"]
    if x["no_connection"]:
        others["no connection"] = x["no_connection"]
    print(f"{'':<9}other answers: {others or 'none'}; machine {u['machine_busy_cores']} cores busy, "
          f"load generator {u['loadgen_cpu_seconds']} s CPU, load average {u['loadavg']}")
line("ratings", r)
line("ceiling", c)
if d["ratio"] is not None:
    print(f"ratings at {100 * d['ratio']:.1f} % of the ceiling's throughput")
top = r["usage"].get("server_threads", [])[:6]
if top:
    print("server threads while rating (CPU s, context switches): " +
          ", ".join(f"{t['name']} {t['cpu_seconds']} s/{t['switches']}" for t in top))
print(f"goal: ≥ 5,000/s with p99 ≤ 50 ms; measured {r['ok_per_second']:.0f}/s with p99 {r['p99_ms']} ms")
print(f"stored: {stored} new ratings for {r['ok']} acknowledged: "
      + ("at least as many, as it must be" if d["stored_at_least_acknowledged"] else "FEWER: acknowledged ratings are missing"))
print(f"server RSS {rss / 1024:.0f} MB (peak {hwm / 1024:.0f} MB); {warnings} WARN/ERROR lines in its log")
sys.exit(0 if d["stored_at_least_acknowledged"] else 1)
PY
