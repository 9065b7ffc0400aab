#!/usr/bin/env bash
# Load and abuse scenarios against the release binary, on loopback only.
#
#   bench/abuse.sh
#
# Builds the release binary, starts an SMTP sink (aiosmtpd, storing a Maildir) and the
# server on a fresh SQLite file with the demo data, then runs bench/abuse.py: password
# hashing under a burst of sign-ins (memory), parallel sign-ups and a mixed load
# (SQLite writes), the sign-in and Authorize Code throttles, 2,000 slow connections,
# /metrics after made-up methods, and mail flooding. Prints a table and writes
# bench/results/abuse.json. Measures, does not judge: exits 0 whatever the figures,
# unless the server does not start. About 3 minutes.
#
# Environment: PORT, SMTP_PORT (default: free ports), NO_BUILD=1 (use the binary as it
# is), KEEP=1 (keep the temp dir with the database, the mail and the server log), and
# the ABUSE_* counts read by bench/abuse.py.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${NO_BUILD:-}" != 1 ]; then
  cargo build --release -j2 -p citizeninfo
fi
BIN=${CARGO_TARGET_DIR:-target}/release
if [ ! -x "$BIN/citizeninfo" ]; then
  echo "abuse: no binary at $BIN/citizeninfo" >&2
  exit 1
fi
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
  echo "Installing aiosmtpd (Python, the SMTP sink)…" >&2
  python3 -m pip install -q --disable-pip-version-check aiosmtpd 2>/dev/null ||
    python3 -m pip install -q --disable-pip-version-check --user aiosmtpd
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${PORT:-$(free_port)}
SMTP_PORT=${SMTP_PORT:-$(free_port)}
TMP=$(mktemp -d /tmp/citizeninfo-abuse.XXXXXX)
MAILDIR="$TMP/mail" # must not exist: aiosmtpd creates it (an existing empty folder fails every delivery)
mkdir -p bench/results

SERVER= SMTP=
cleanup() {
  for p in $SERVER $SMTP; do kill "$p" 2>/dev/null || true; done
  for p in $SERVER $SMTP; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ "${KEEP:-}" = 1 ]; then echo "abuse: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" \
  >"$TMP/smtp.log" 2>&1 &
SMTP=$!
for _ in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 0.2).close()" 2>/dev/null && break
  kill -0 "$SMTP" 2>/dev/null || { echo "abuse: the SMTP sink did not start:" >&2; cat "$TMP/smtp.log" >&2; exit 1; }
  sleep 0.1
done

CITIZENINFO_LOG=warn "$BIN/citizeninfo" --database-url "sqlite://$TMP/abuse.db" serve --demo \
  --listen "127.0.0.1:$PORT" --tile-url "" --smtp-url "smtp://127.0.0.1:$SMTP_PORT" \
  >"$TMP/server.log" 2>&1 &
SERVER=$!
ready=0
for _ in $(seq 1 240); do
  if curl -fs --max-time 2 "http://127.0.0.1:$PORT/readyz" >/dev/null; then ready=1; break; fi
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.25
done
if [ $ready != 1 ]; then
  echo "abuse: the server did not start; its log:" >&2
  tail -n 40 "$TMP/server.log" >&2
  exit 1
fi
echo "abuse: server pid $SERVER on 127.0.0.1:$PORT, SMTP sink on 127.0.0.1:$SMTP_PORT, files in $TMP" >&2

status=0
python3 bench/abuse.py --pid "$SERVER" --port "$PORT" --maildir "$MAILDIR" --out bench/results/abuse.json || status=$?

# The server's own log (warn level): how many lines of each level, and the last few.
sed -i 's/\x1b\[[0-9;]*m//g' "$TMP/server.log"
echo >&2
echo "abuse: server log: $(wc -l <"$TMP/server.log") lines ($(grep -c ' ERROR ' "$TMP/server.log" || true) ERROR, $(grep -c ' WARN ' "$TMP/server.log" || true) WARN)" >&2
tail -n 5 "$TMP/server.log" | cut -c1-300 >&2
if ! kill -0 "$SERVER" 2>/dev/null; then echo "abuse: the server is no longer running" >&2; fi
exit $status
