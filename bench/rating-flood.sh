#!/usr/bin/env bash
# One address floods one poster: 1,000 rating submissions, each with a browser name of
# its own, as fast as the server answers (well within an hour), then the same with one
# browser name; how many were counted, and what the preliminary report says was
# refused and why.
#
#   bench/rating-flood.sh            # builds the release binary first
#   NO_BUILD=1 bench/rating-flood.sh
#
# Writes bench/results/rating-flood.json. Measures, does not judge; about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${NO_BUILD:-}" != 1 ]; then
  cargo build --release -j2 -p citizeninfo
fi
BIN=${CARGO_TARGET_DIR:-target}/release/citizeninfo
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${PORT:-$(free_port)}
TMP=$(mktemp -d /tmp/citizeninfo-flood.XXXXXX)
DB="sqlite://$TMP/flood.db"
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p bench/results

"$BIN" --database-url "$DB" seed-demo >/dev/null 2>&1
CITIZENINFO_ADMIN_PASSWORD=Flood-bench-2569 "$BIN" --database-url "$DB" admin create-admin \
  --username floodadmin --email flood@example.go.th --first-name ทดสอบ --last-name ระบบ >/dev/null 2>&1
CITIZENINFO_LOG=warn "$BIN" --database-url "$DB" serve --listen "127.0.0.1:$PORT" --tile-url "" \
  --mail-dir "$TMP/mail" >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
python3 bench/rating_flood.py "127.0.0.1:$PORT" floodadmin Flood-bench-2569 | tee bench/results/rating-flood.json
