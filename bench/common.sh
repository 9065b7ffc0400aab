# Shared by the benchmark scripts: source it after `cd` to the repository and after
# setting N and WORK.

# The code measured: the commit, and how many files under crates/ differ from it.
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)+$(git status --porcelain -- crates 2>/dev/null | wc -l)"

# Builds the release binary and the load generator unless NO_BUILD=1; sets BIN.
build_release() {
  if [ "${NO_BUILD:-}" != 1 ]; then
    cargo build --release -j2 -p citizeninfo -p citizeninfo-loadgen
  fi
  BIN=${CARGO_TARGET_DIR:-target}/release
}

# The national dataset of N service points in a SQLite file made once and kept in
# WORK (bench/run.sh's); sets TEMPLATE.
national_template() {
  TEMPLATE="$WORK/national-$N.db"
  if [ ! -f "$TEMPLATE" ]; then
    echo "Loading $N service points into $TEMPLATE…" >&2
    /usr/bin/time -f "seed: %e s, %M KB max RSS" "$BIN/citizeninfo" --database-url "sqlite://$TEMPLATE" seed-demo --national "$N"
  fi
}

# Stops the server whose pid is in SERVER: politely, then after 10 s for good.
SERVER=
stop_server() {
  [ -n "$SERVER" ] || return 0
  kill "$SERVER" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVER" 2>/dev/null || true
  SERVER=
}
