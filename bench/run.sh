#!/usr/bin/env bash
# Benchmark of the public read paths at national scale, on loopback only.
#
#   bench/run.sh [N]        N service points (default 80000)
#
# Builds the release binary and the load generator, loads the demo data plus N synthetic
# service points into a fresh SQLite file, serves it, and measures in one run:
#   (a) the 20 nearest service points to a point        GET /api/v1/service-points?near=…
#   (b) a Thai text query                               GET /api/v1/service-points?q=…
#   (c) the service point HTML page                     GET /sp/{code}
#   ceiling: a fixed response of the page's size        GET /_bench/ceiling?bytes=…
# each at a fixed 1,000 requests/s (latency from the scheduled time, so queueing counts)
# and closed-loop (maximum throughput), then the server's resident memory and the page
# weight. Results go to bench/results/latest.json and the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-80000}
RATE=${RATE:-1000}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
WORK=${BENCH_DIR:-/tmp/citizeninfo-bench}
PORT=${PORT:-18080}
mkdir -p "$WORK" bench/results

cargo build --release -j2 -p citizeninfo -p citizeninfo-loadgen
BIN=${CARGO_TARGET_DIR:-target}/release
DB="$WORK/national-$N.db"
if [ ! -f "$DB" ]; then
  echo "Loading $N service points into $DB…" >&2
  /usr/bin/time -f "seed: %e s, %M KB max RSS" "$BIN/citizeninfo" --database-url "sqlite://$DB" seed-demo --national "$N"
fi

CITIZENINFO_LOG=warn "$BIN/citizeninfo" --database-url "sqlite://$DB" serve --listen "127.0.0.1:$PORT" --tile-url "" --bench-ceiling &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
echo "server started, RSS $(awk '/VmRSS/{print $2" "$3}' /proc/$SERVER/status)" >&2

# Request lists: random points in Thailand, Thai queries, random service points.
python3 - "$WORK" "$N" <<'PY'
import random, sys, urllib.parse
work, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(2563)
with open(f"{work}/near.txt", "w") as f:
    for _ in range(500):
        lat, lon = rnd.uniform(6.0, 20.0), rnd.uniform(98.0, 105.0)
        f.write(f"/api/v1/service-points?near={lat:.5f},{lon:.5f}&per_page=20\n")
queries = ["พัฒนาชุมชน", "ทำบัตรประชาชน", "โรงพยาบาลส่งเสริมสุขภาพตำบล", "สำนักงานที่ดิน", "เกษตรอำเภอ",
           "บางละมุง", "OTOP", "จัดหางาน", "เชียงใหม่", "สรรพากร", "ทะเบียนบ้าน", "ผู้สูงอายุ"]
with open(f"{work}/text.txt", "w") as f:
    for q in queries:
        f.write(f"/api/v1/service-points?q={urllib.parse.quote(q)}&per_page=20\n")
with open(f"{work}/page.txt", "w") as f:
    for _ in range(500):
        f.write(f"/sp/904{rnd.randrange(n):010d}\n")
PY

PAGE=$(head -n1 "$WORK/page.txt")
PAGE_BYTES=$(curl -fs "http://127.0.0.1:$PORT$PAGE" | wc -c)
CSS_BYTES=$(curl -fs "http://127.0.0.1:$PORT/assets/site.css" | wc -c)
PAGE_GZIP=$(curl -fs -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT$PAGE" | wc -c)
echo "/_bench/ceiling?bytes=$PAGE_BYTES" > "$WORK/ceiling.txt"

run() { "$BIN/loadgen" --addr "127.0.0.1:$PORT" --paths "$WORK/$1.txt" --label "$1$3" --rate "$2" --seconds "$4" --connections 32; }
ROUNDS=${ROUNDS:-3}
OUT=bench/results/latest.json
{
  echo "{\"service_points\": $N, \"page_bytes\": $PAGE_BYTES, \"page_gzip_bytes\": $PAGE_GZIP, \"css_bytes\": $CSS_BYTES, \"runs\": ["
  # Warm-up, not reported.
  "$BIN/loadgen" --addr "127.0.0.1:$PORT" --paths "$WORK/page.txt" --rate 500 --seconds 3 --connections 8 >/dev/null
  first=1
  emit() { echo "$1" >&2; [ $first = 1 ] && first=0 || echo ","; echo "$1"; }
  # Latency at the target rate.
  for s in near text page ceiling; do emit "$(run $s "$RATE" "@$RATE" "$SECONDS_PER_RUN")"; done
  # Maximum throughput, the page and its ceiling interleaved so that drift in the
  # machine's load hits both alike; the medians of the rounds are compared.
  for round in $(seq 1 "$ROUNDS"); do
    for s in near text page ceiling; do emit "$(run $s 0 "@max#$round" 10)"; done
  done
  echo "],"
  echo "\"rss_kb\": $(awk '/VmRSS/{print $2}' /proc/$SERVER/status), \"peak_rss_kb\": $(awk '/VmHWM/{print $2}' /proc/$SERVER/status)}"
} > "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = {r["label"]: r for r in d["runs"]}
print(f"\n{d['service_points']} service points; page {d['page_bytes']} B HTML + {d['css_bytes']} B CSS "
      f"= {(d['page_bytes'] + d['css_bytes'])/1024:.1f} KB ({d['page_gzip_bytes']} B gzipped HTML); "
      f"RSS {d['rss_kb']/1024:.0f} MB, peak {d['peak_rss_kb']/1024:.0f} MB\n")
import statistics
print(f"{'scenario':<22}{'rate':>8}{'ok':>8}{'err':>6}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
for label, r in runs.items():
    print(f"{label:<22}{r['target_rate']:>8}{r['ok']:>8}{r['errors']:>6}{r['throughput_rps']:>8.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['max_ms']:>9.2f}")
def med(s):
    xs = [r["throughput_rps"] for l, r in runs.items() if l.startswith(s + "@max#")]
    return statistics.median(xs) if xs else 0
print("\nmedian maximum throughput: " + ", ".join(f"{s} {med(s):.0f} rps" for s in ["near", "text", "page", "ceiling"]))
ratios = [runs[f"page@max#{i}"]["throughput_rps"] / runs[f"ceiling@max#{i}"]["throughput_rps"]
          for i in range(1, 100) if f"page@max#{i}" in runs and f"ceiling@max#{i}" in runs]
if ratios:
    print(f"service point page at {100*statistics.median(ratios):.0f} % of the ceiling's throughput "
          f"(median of {len(ratios)} rounds; each round {', '.join(f'{100*r:.0f} %' for r in ratios)})")
PY
