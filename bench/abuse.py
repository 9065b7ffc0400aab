#!/usr/bin/env python3
"""Load and abuse scenarios against a running citizeninfo server, on loopback only.

    python3 bench/abuse.py --pid PID --port PORT --maildir DIR [--out FILE]

Started by bench/abuse.sh, which builds and starts the server and the SMTP sink. Each
scenario is bounded in count and time; the script measures and reports, it does not
judge: it exits 0 whatever the figures. Standard library only: a tiny HTTP/1.1 client
over asyncio streams, so that thousands of connections and many loopback source
addresses (127.0.0.0/8, every one of them local on Linux) work without extra packages.

Source addresses, one range per scenario so that the per-address throttles of one
scenario do not leak into the next:
  127.0.0.1         probes (latency, /metrics, /readyz)
  127.0.0.2         the slow connections
  127.0.0.3         the made-up methods
  127.0.0.4, 8, 9, 60  the mail flood (one sender per case)
  127.0.0.5-7       single set-up requests (accounts, verification, sign-in)
  127.0.0.10-59     the password hashing burst
  127.0.1.1-        the parallel sign-ups
  127.0.2.1-        the 40 wrong-password sign-ins
  127.0.3.1-        the 100 wrong-password sign-ins
  127.0.4.1-250     the mixed load
  127.0.5.1-        the Authorize Code tries
"""

import argparse
import asyncio
import email
import email.policy
import ipaddress
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from collections import Counter

HOST = "127.0.0.1"
PORT = 0
PID = 0
MAILDIR = ""


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def env_float(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


# Counts and times, each configurable by environment.
HASH_BURST = env_int("ABUSE_HASH_BURST", 200)
HASH_SOURCES = env_int("ABUSE_HASH_SOURCES", 50)  # 127.0.0.10 … 127.0.0.(10+N-1)
SETTLE_SECONDS = env_float("ABUSE_SETTLE_SECONDS", 10)
SIGNUP_BURST = env_int("ABUSE_SIGNUP_BURST", 100)
MIXED_SECONDS = env_float("ABUSE_MIXED_SECONDS", 10)
MIXED_CLIENTS = env_int("ABUSE_MIXED_CLIENTS", 5)
THROTTLE_SMALL = env_int("ABUSE_THROTTLE_SMALL", 40)
THROTTLE_LARGE = env_int("ABUSE_THROTTLE_LARGE", 100)
CODE_TRIES = env_int("ABUSE_CODE_TRIES", 60)
SLOW_CONNECTIONS = env_int("ABUSE_SLOW_CONNECTIONS", 2000)
SLOW_HOLD_SECONDS = env_float("ABUSE_SLOW_HOLD_SECONDS", 60)
SLOW_DRIP_SECONDS = env_float("ABUSE_SLOW_DRIP_SECONDS", 5)
LATENCY_REQUESTS = env_int("ABUSE_LATENCY_REQUESTS", 50)
METHOD_REQUESTS = env_int("ABUSE_METHOD_REQUESTS", 5000)
METHOD_BYTES = env_int("ABUSE_METHOD_BYTES", 2048)
METHOD_CONNECTIONS = env_int("ABUSE_METHOD_CONNECTIONS", 8)
MAIL_REQUESTS = env_int("ABUSE_MAIL_REQUESTS", 30)

RUN = "%04d" % random.Random().randrange(10000)  # keeps names apart between runs
FIRST_NAMES = ["สมชาย", "สมศรี", "วิไลวรรณ", "ประเสริฐ", "กมลชนก", "อรุณี", "สุดารัตน์", "ชัยวัฒน์", "พรทิพย์", "ธนากร"]
LAST_NAMES = ["ใจดี", "รักไทย", "ศรีสุข", "มีสุข", "ทองดี", "แก้วมณี", "บุญมา", "สายทอง"]


def src(prefix, n):
    """The n-th address (1-based) of a 127.x.y.0/24 range, e.g. src("127.0.1", 3)."""
    return f"{prefix}.{n}"


def addr_range(first, count):
    a = ipaddress.IPv4Address(first)
    return [str(a + i) for i in range(count)]


# ---------------------------------------------------------------------------------------
# A tiny HTTP/1.1 client


class Resp:
    __slots__ = ("status", "headers", "body", "elapsed", "error")

    def __init__(self, status=None, headers=None, body=b"", elapsed=0.0, error=None):
        self.status = status
        self.headers = headers or {}
        self.body = body
        self.elapsed = elapsed
        self.error = error

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None

    @property
    def label(self):
        return str(self.status) if self.status is not None else f"error:{self.error}"

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Closed(Exception):
    pass


def build_request(method, path, body=None, headers=None, keep_alive=False):
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{PORT}", "User-Agent: citizeninfo-abuse"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return raw + (body or b"")


async def read_response(reader, method="GET"):
    line = await reader.readline()
    if not line:
        raise Closed("closed before the status line")
    parts = line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise Closed(f"bad status line {line[:40]!r}")
    status = int(parts[1])
    headers = {}
    while True:
        h = await reader.readline()
        if not h:
            raise Closed("closed in the headers")
        if h in (b"\r\n", b"\n"):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    te = ",".join(headers.get("transfer-encoding", [])).lower()
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        body = b""
    elif "chunked" in te:
        chunks = []
        while True:
            size_line = await reader.readline()
            if not size_line:
                raise Closed("closed in a chunk")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(chunks)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"][0]))
    else:
        body = await reader.read()
    return status, headers, body


def error_name(e):
    if isinstance(e, asyncio.TimeoutError):
        return "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, ConnectionResetError):
        return "reset"
    if isinstance(e, (Closed, asyncio.IncompleteReadError)):
        return "closed"
    if isinstance(e, OSError):
        return f"os{e.errno}"
    return type(e).__name__


async def connect(source, timeout=10.0):
    return await asyncio.wait_for(
        asyncio.open_connection(HOST, PORT, local_addr=(source, 0), limit=1 << 20), timeout
    )


async def http(method, path, body=None, headers=None, source="127.0.0.1", timeout=30.0):
    """One request on its own connection (Connection: close); never raises."""
    t0 = time.monotonic()
    writer = None
    try:
        reader, writer = await connect(source, timeout)
        writer.write(build_request(method, path, body, headers))
        await writer.drain()
        remaining = max(0.1, timeout - (time.monotonic() - t0))
        status, hdrs, data = await asyncio.wait_for(read_response(reader, method), remaining)
        return Resp(status, hdrs, data, time.monotonic() - t0)
    except Exception as e:  # noqa: BLE001 - every failure is a figure
        return Resp(elapsed=time.monotonic() - t0, error=error_name(e))
    finally:
        if writer is not None:
            writer.close()


def statuses(resps):
    c = Counter(r.label for r in resps)
    return dict(sorted(c.items()))


def fmt_statuses(d):
    return ", ".join(f"{k}: {v}" for k, v in d.items()) or "none"


# ---------------------------------------------------------------------------------------
# The server process


def proc_status_kb(field):
    try:
        with open(f"/proc/{PID}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def mb(kb):
    return None if kb is None else round(kb / 1024, 1)


def open_fds():
    try:
        return len(os.listdir(f"/proc/{PID}/fd"))
    except OSError:
        return None


def fd_limit():
    try:
        with open(f"/proc/{PID}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    return int(line.split()[3])
    except (OSError, ValueError, IndexError):
        return None
    return None


def server_alive():
    return os.path.exists(f"/proc/{PID}/status") and proc_status_kb("VmRSS") is not None


class Sampler:
    """Samples a reading every `interval` seconds in the background until stopped."""

    def __init__(self, read, interval):
        self.read, self.interval = read, interval
        self.samples = []  # (seconds since start, value)
        self._stop = asyncio.Event()
        self._task = None
        self.t0 = 0.0

    async def _run(self):
        while not self._stop.is_set():
            v = self.read()
            if v is not None:
                self.samples.append((time.monotonic() - self.t0, v))
            try:
                await asyncio.wait_for(self._stop.wait(), self.interval)
            except asyncio.TimeoutError:
                pass

    def start(self):
        self.t0 = time.monotonic()
        self._task = asyncio.create_task(self._run())
        return self

    async def stop(self):
        self._stop.set()
        await self._task
        return self

    @property
    def peak(self):
        return max((v for _, v in self.samples), default=None)


# ---------------------------------------------------------------------------------------
# Accounts and mail


_account_no = 0


def new_account(tag):
    global _account_no
    _account_no += 1
    n = _account_no
    username = f"{tag}{RUN}x{n:05d}"
    return {
        "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
        "last_name": LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
        "citizen_id": "",
        "mobile": "",
        "email": f"{username}@example.go.th",
        "username": username,
        "password": f"Zq{RUN}k{n:05d}pw",
        "password_confirmation": f"Zq{RUN}k{n:05d}pw",
    }


async def signup(acct, source):
    return await http("POST", "/api/v1/auth/signup", acct, source=source, timeout=60)


def maildir_files():
    names = []
    for sub in ("new", "cur"):
        try:
            names += [os.path.join(MAILDIR, sub, n) for n in os.listdir(os.path.join(MAILDIR, sub))]
        except OSError:
            pass
    return names


def mail_count():
    return len(maildir_files())


async def settled_mail_count(timeout=10.0):
    """The Maildir count once it has not moved for a second (deliveries finish)."""
    last, since, t0 = mail_count(), time.monotonic(), time.monotonic()
    while time.monotonic() - t0 < timeout:
        await asyncio.sleep(0.25)
        c = mail_count()
        if c != last:
            last, since = c, time.monotonic()
        elif time.monotonic() - since >= 1.0:
            break
    return last


def mail_text(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    texts = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(part.get_content())
            except (LookupError, ValueError):
                texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return str(msg.get("To", "")), "\n".join(texts)


async def verification_token(address, timeout=15.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        for path in maildir_files():
            try:
                to, text = mail_text(path)
            except OSError:
                continue
            if address.lower() in to.lower() or address.lower() in text.lower():
                m = re.search(r"/auth/verify\?token=([0-9a-fA-F]+)", text)
                if m:
                    return m.group(1)
        await asyncio.sleep(0.3)
    return None


# ---------------------------------------------------------------------------------------
# 1. Password hashing


async def scenario_hashing():
    sources = addr_range("127.0.0.10", HASH_SOURCES)
    rss_before, hwm_before = proc_status_kb("VmRSS"), proc_status_kb("VmHWM")
    sampler = Sampler(lambda: proc_status_kb("VmRSS"), 0.1).start()
    await asyncio.sleep(0.05)  # the sampler has taken its first reading
    t0 = time.monotonic()
    burst_start = t0 - sampler.t0
    resps = await asyncio.gather(*[
        http("POST", "/api/v1/auth/login", {"username": f"nobody{RUN}n{i}", "password": "x"},
             source=sources[i % len(sources)], timeout=120)
        for i in range(HASH_BURST)
    ])
    burst_seconds = time.monotonic() - t0
    await sampler.stop()
    hwm_after = proc_status_kb("VmHWM")
    # The readings taken while the requests were in flight (plus the one just before).
    in_burst = [s for s in sampler.samples if s[0] <= burst_start + burst_seconds]
    # Settled: the reading SETTLE_SECONDS after the last answer, one reading a second
    # on the way (kept in the JSON, to see whether it was still falling).
    readings, t1 = [], time.monotonic()
    for _ in range(max(1, int(SETTLE_SECONDS))):
        await asyncio.sleep(SETTLE_SECONDS / max(1, int(SETTLE_SECONDS)))
        readings.append(proc_status_kb("VmRSS"))
    rss_settled = readings[-1]
    st = statuses(resps)
    s503 = [r for r in resps if r.status == 503]
    s429 = [r for r in resps if r.status == 429]
    sampled_peak = max((v for _, v in in_burst), default=None)
    peak = sampled_peak
    if hwm_after is not None and hwm_before is not None and hwm_after > hwm_before:
        peak = max(peak or 0, hwm_after)  # the kernel's peak catches what falls between samples
    lat = sorted(r.elapsed for r in resps if r.status is not None)
    return {
        "requests": HASH_BURST,
        "sources": f"{sources[0]}-{sources[-1]} ({len(sources)} addresses, "
                   f"{-(-HASH_BURST // len(sources))} requests each at most)",
        "rss_before_mb": mb(rss_before),
        "rss_peak_mb": mb(peak),
        "rss_peak_sampled_mb": mb(sampled_peak),
        "vmhwm_before_mb": mb(hwm_before),
        "vmhwm_after_mb": mb(hwm_after),
        "rss_settled_mb": mb(rss_settled),
        "settle_seconds": round(time.monotonic() - t1, 1),
        "rss_each_second_after_mb": [mb(r) for r in readings],
        "rss_samples_during_burst": len(in_burst),
        "burst_seconds": round(burst_seconds, 2),
        "latency_median_ms": round(1000 * statistics.median(lat), 1) if lat else None,
        "latency_max_ms": round(1000 * lat[-1], 1) if lat else None,
        "statuses": st,
        "all_answered": all(r.status is not None for r in resps),
        "answered": sum(r.status is not None for r in resps),
        "503_with_retry_after": f"{sum(1 for r in s503 if r.header('retry-after'))}/{len(s503)}",
        "429_with_retry_after": f"{sum(1 for r in s429 if r.header('retry-after'))}/{len(s429)}",
    }


# ---------------------------------------------------------------------------------------
# 2. SQLite writes


async def scenario_sqlite():
    accts = [new_account("burst") for _ in range(SIGNUP_BURST)]
    sources = addr_range("127.0.1.1", SIGNUP_BURST)
    t0 = time.monotonic()
    resps = await asyncio.gather(*[signup(a, s) for a, s in zip(accts, sources)])
    burst_seconds = time.monotonic() - t0
    errors = Counter()
    for r in resps:
        if r.status is not None and r.status != 201:
            j = r.json() or {}
            code = (j.get("error") or {}).get("code") if isinstance(j, dict) else None
            errors[f"{r.status} {code or r.body[:60].decode('utf-8', 'replace')}"] += 1
    created = [a for a, r in zip(accts, resps) if r.status == 201]

    # Mixed load: each client in turn signs up, signs in with a wrong password and signs
    # in with the right one (unverified: 403) on accounts created so far.
    mixed_sources = addr_range("127.0.4.1", 250)
    counter = {"n": 0}
    by_op = {"signup": Counter(), "login_wrong": Counter(), "login_right": Counter()}
    lats = []
    deadline = time.monotonic() + MIXED_SECONDS
    pool = list(created)

    def next_source():
        counter["n"] += 1
        return mixed_sources[counter["n"] % len(mixed_sources)]

    async def client(k):
        rnd = random.Random(k)
        for i in range(100_000):  # bounded by the deadline long before
            if time.monotonic() >= deadline:
                return
            op = ("signup", "login_wrong", "login_right")[i % 3]
            if op == "signup":
                a = new_account("mixed")
                r = await signup(a, next_source())
                if r.status == 201:
                    pool.append(a)
            else:
                if not pool:
                    continue
                a = rnd.choice(pool)
                pw = a["password"] if op == "login_right" else "wrongPass123"
                r = await http("POST", "/api/v1/auth/login", {"username": a["username"], "password": pw},
                               source=next_source(), timeout=30)
            by_op[op][r.label] += 1
            lats.append(r.elapsed)

    t1 = time.monotonic()
    await asyncio.gather(*[client(k) for k in range(MIXED_CLIENTS)])
    mixed_seconds = time.monotonic() - t1
    total = sum(sum(c.values()) for c in by_op.values())
    fivexx = sum(v for c in by_op.values() for k, v in c.items() if k.startswith("5"))
    errs = sum(v for c in by_op.values() for k, v in c.items() if k.startswith("error"))
    lats.sort()
    return {
        "signup_burst": {
            "requests": SIGNUP_BURST,
            "sources": f"{sources[0]}-{sources[-1]}",
            "seconds": round(burst_seconds, 2),
            "statuses": statuses(resps),
            "refusals": dict(errors),
            "all_201": all(r.status == 201 for r in resps),
            "5xx": sum(1 for r in resps if r.status is not None and r.status >= 500),
        },
        "mixed": {
            "clients": MIXED_CLIENTS,
            "seconds": round(mixed_seconds, 1),
            "sources": f"{mixed_sources[0]}-{mixed_sources[-1]} in turn",
            "requests": total,
            "by_operation": {k: dict(sorted(v.items())) for k, v in by_op.items()},
            "5xx": fivexx,
            "connection_errors": errs,
            "latency_median_ms": round(1000 * statistics.median(lats), 1) if lats else None,
            "latency_max_ms": round(1000 * lats[-1], 1) if lats else None,
        },
    }


# ---------------------------------------------------------------------------------------
# 3. Throttles


async def wrong_logins(username, n, first_source):
    sources = addr_range(first_source, n)
    resps = await asyncio.gather(*[
        http("POST", "/api/v1/auth/login", {"username": username, "password": f"wrongPass{i}"},
             source=s, timeout=60)
        for i, s in enumerate(sources)
    ])
    s429 = [r for r in resps if r.status == 429]
    return {
        "requests": n,
        "sources": f"{sources[0]}-{sources[-1]}",
        "statuses": statuses(resps),
        "checked_401": sum(1 for r in resps if r.status == 401),
        "throttled_429": len(s429),
        "429_all_with_retry_after": all(r.header("retry-after") for r in s429) if s429 else None,
        "retry_after_values": sorted({r.header("retry-after") for r in s429 if r.header("retry-after")}),
    }


async def scenario_throttles():
    out = {}
    a, b, c = new_account("thra"), new_account("thrb"), new_account("thrc")
    made = {}
    for acct in (a, b, c):
        r = await signup(acct, "127.0.0.5")
        made[acct["username"]] = r.label
    out["accounts_signup"] = made
    out["login_40"] = await wrong_logins(a["username"], THROTTLE_SMALL, "127.0.2.1")
    out["login_100"] = await wrong_logins(b["username"], THROTTLE_LARGE, "127.0.3.1")

    # Authorize Codes need a verified, signed-in account.
    code = {"tries": CODE_TRIES}
    token = await verification_token(c["email"])
    code["verification_mail_found"] = token is not None
    cookie = None
    if token:
        r = await http("POST", "/api/v1/auth/verify", {"token": token}, source="127.0.0.6")
        code["verify_status"] = r.label
        r = await http("POST", "/api/v1/auth/login", {"username": c["username"], "password": c["password"]},
                       source="127.0.0.6")
        code["login_status"] = r.label
        for v in r.headers.get("set-cookie", []):
            m = re.match(r"\s*citizeninfo_session=([^;]*)", v)
            if m:
                cookie = m.group(1)
    code["session_cookie"] = cookie is not None
    if cookie:
        sources = addr_range("127.0.5.1", CODE_TRIES)
        resps = await asyncio.gather(*[
            http("POST", "/api/v1/me/units", {"authorize_code": "0123456789ABCDE"},
                 headers={"Cookie": f"citizeninfo_session={cookie}"}, source=s, timeout=60)
            for s in sources
        ])
        s429 = [r for r in resps if r.status == 429]
        code.update({
            "sources": f"{sources[0]}-{sources[-1]}",
            "statuses": statuses(resps),
            "let_through_422": sum(1 for r in resps if r.status == 422),
            "throttled_429": len(s429),
            "429_all_with_retry_after": all(r.header("retry-after") for r in s429) if s429 else None,
        })
    out["authorize_code"] = code
    return out


# ---------------------------------------------------------------------------------------
# 4. Slow connections


async def latency_run(n, per_request_timeout=5.0, budget=40.0):
    """n sequential GETs from 127.0.0.1, each on a new connection; median and max."""
    lats, failures = [], Counter()
    t0 = time.monotonic()
    for _ in range(n):
        if time.monotonic() - t0 > budget:
            failures["not sent (time budget)"] += 1
            continue
        r = await http("GET", "/api/v1/service-points?per_page=5", source="127.0.0.1",
                       timeout=per_request_timeout)
        if r.status == 200:
            lats.append(r.elapsed)
        else:
            failures[r.label] += 1
    lats.sort()
    return {
        "requests": n,
        "ok": len(lats),
        "failures": dict(failures),
        "median_ms": round(1000 * statistics.median(lats), 2) if lats else None,
        "max_ms": round(1000 * lats[-1], 2) if lats else None,
    }


class SlowConn:
    __slots__ = ("kind", "connected_at", "closed_at", "status", "connect_error", "we_closed")

    def __init__(self, kind):
        self.kind = kind
        self.connected_at = None
        self.closed_at = None  # when the server closed it (EOF or reset)
        self.status = None  # the first status line the server sent, if any
        self.connect_error = None
        self.we_closed = False


async def slow_connection(c, end, connect_gate):
    async with connect_gate:
        try:
            reader, writer = await connect("127.0.0.2", timeout=10)
        except Exception as e:  # noqa: BLE001
            c.connect_error = error_name(e)
            return
    c.connected_at = time.monotonic()
    host = f"Host: {HOST}:{PORT}\r\n".encode()
    try:
        if c.kind == "partial":
            writer.write(b"GET /api/v1/service-points HTTP/1.1\r\n" + host + b"User-Agent: abu")
        elif c.kind == "drip":
            writer.write(b"GET /api/v1/service-points HTTP/1.1\r\n")
        elif c.kind == "keepalive":
            writer.write(b"GET /healthz HTTP/1.1\r\n" + host + b"Connection: keep-alive\r\n\r\n")
        # "silent" sends nothing.
        await writer.drain()
    except OSError:
        c.closed_at = time.monotonic()
        writer.close()
        return

    async def read_all():
        buf = b""
        while True:
            try:
                data = await reader.read(65536)
            except OSError:
                data = b""
            if not data:
                c.closed_at = time.monotonic()
                return
            if c.status is None:
                buf += data
                m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
                if m:
                    c.status = int(m.group(1))

    async def drip():
        for i in range(10_000):  # bounded by `end`
            await asyncio.sleep(SLOW_DRIP_SECONDS)
            if time.monotonic() >= end or c.closed_at is not None:
                return
            try:
                writer.write(f"X-Drip-{i}: {i}\r\n".encode())
                await writer.drain()
            except OSError:
                return

    reading = asyncio.create_task(read_all())
    dripping = asyncio.create_task(drip()) if c.kind == "drip" else None
    try:
        await asyncio.wait_for(asyncio.shield(reading), max(0.0, end - time.monotonic()))
    except asyncio.TimeoutError:
        c.we_closed = True
    finally:
        if dripping:
            dripping.cancel()
        reading.cancel()
        writer.close()


async def scenario_slow():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = SLOW_CONNECTIONS + 512
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    baseline = await latency_run(LATENCY_REQUESTS)
    fds_before = open_fds()
    fd_sampler = Sampler(open_fds, 0.25).start()
    rss_sampler = Sampler(lambda: proc_status_kb("VmRSS"), 0.5).start()
    kinds = ("partial", "drip", "silent", "keepalive")
    conns = [SlowConn(kinds[i % 4]) for i in range(SLOW_CONNECTIONS)]
    t0 = time.monotonic()
    end = t0 + SLOW_HOLD_SECONDS
    gate = asyncio.Semaphore(200)  # connects in flight at once
    tasks = [asyncio.create_task(slow_connection(c, end, gate)) for c in conns]

    # Wait until every connection is attempted, then 2 s more, then time the probes.
    for _ in range(600):
        if all(c.connected_at or c.connect_error for c in conns) or time.monotonic() > t0 + 30:
            break
        await asyncio.sleep(0.1)
    opened_seconds = time.monotonic() - t0
    await asyncio.sleep(2.0)
    fds_under_attack = open_fds()
    under = await latency_run(LATENCY_REQUESTS, budget=max(5.0, end - time.monotonic() - 5))
    await asyncio.gather(*tasks)
    held_seconds = time.monotonic() - t0
    await fd_sampler.stop()
    await rss_sampler.stop()
    await asyncio.sleep(1.0)
    fds_after = open_fds()

    def classify(c):
        if c.connect_error:
            return "connect_failed"
        if c.status == 503:
            return "refused_503"
        if c.closed_at is not None and c.closed_at - c.connected_at < 2.0:
            return "closed_at_once"
        return "held"

    per_kind = {}
    for k in kinds:
        cs = [c for c in conns if c.kind == k]
        closed = sorted(c.closed_at - c.connected_at for c in cs if c.closed_at is not None and c.connected_at)
        per_kind[k] = {
            "opened": sum(1 for c in cs if c.connected_at),
            **Counter(classify(c) for c in cs),
            "closed_by_server": len(closed),
            "close_after_median_s": round(statistics.median(closed), 1) if closed else None,
            "statuses": dict(Counter(str(c.status) for c in cs if c.status is not None)),
        }
    cls = Counter(classify(c) for c in conns)
    closed_by_server = [c for c in conns if c.closed_at is not None and c.connected_at]
    return {
        "connections": SLOW_CONNECTIONS,
        "source": "127.0.0.2",
        "hold_seconds": round(held_seconds, 1),
        "open_all_seconds": round(opened_seconds, 1),
        "accepted": sum(1 for c in conns if c.connected_at),
        "held": cls.get("held", 0),
        "refused": cls.get("refused_503", 0) + cls.get("closed_at_once", 0) + cls.get("connect_failed", 0),
        "refused_503": cls.get("refused_503", 0),
        "closed_at_once": cls.get("closed_at_once", 0),
        "connect_failed": cls.get("connect_failed", 0),
        "connect_errors": dict(Counter(c.connect_error for c in conns if c.connect_error)),
        "closed_by_server_within_hold": len(closed_by_server),
        "closed_by_server_after_2s": sum(1 for c in closed_by_server if c.closed_at - c.connected_at >= 2.0),
        "still_open_at_end": sum(1 for c in conns if c.we_closed),
        "per_kind": per_kind,
        "server_fds_before": fds_before,
        "server_fds_peak": fd_sampler.peak,
        "server_fds_under_attack": fds_under_attack,
        "server_fds_after": fds_after,
        "server_fd_limit": fd_limit(),
        "server_rss_peak_mb": mb(rss_sampler.peak),
        "latency_baseline": baseline,
        "latency_under_attack": under,
    }


# ---------------------------------------------------------------------------------------
# 5. /metrics size


async def scenario_metrics():
    before = await http("GET", "/metrics", timeout=30)
    rnd = random.Random(2563)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    remaining = {"n": METHOD_REQUESTS}
    answers, connections = Counter(), {"opened": 0}
    deadline = time.monotonic() + 120

    async def worker():
        reader = writer = None
        while remaining["n"] > 0 and time.monotonic() < deadline:
            remaining["n"] -= 1
            method = "".join(rnd.choice(letters) for _ in range(METHOD_BYTES))
            try:
                if writer is None:
                    reader, writer = await connect("127.0.0.3", 10)
                    connections["opened"] += 1
                writer.write(build_request(method, "/", keep_alive=True))
                await writer.drain()
                status, hdrs, _ = await asyncio.wait_for(read_response(reader, method), 10)
                answers[str(status)] += 1
                if "close" in ",".join(hdrs.get("connection", [])).lower():
                    writer.close()
                    writer = None
            except Exception as e:  # noqa: BLE001
                answers[f"error:{error_name(e)}"] += 1
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.close()

    t0 = time.monotonic()
    await asyncio.gather(*[worker() for _ in range(METHOD_CONNECTIONS)])
    seconds = time.monotonic() - t0
    after = await http("GET", "/metrics", timeout=60)
    series = sum(1 for line in after.body.split(b"\n") if line.startswith(b"http_requests_total{"))
    return {
        "requests": METHOD_REQUESTS - max(0, remaining["n"]),
        "method_bytes": METHOD_BYTES,
        "source": "127.0.0.3",
        "connections_opened": connections["opened"],
        "seconds": round(seconds, 1),
        "answers": dict(sorted(answers.items())),
        "metrics_before_status": before.label,
        "metrics_before_bytes": len(before.body),
        "metrics_after_status": after.label,
        "metrics_after_bytes": len(after.body),
        "metrics_after_ms": round(1000 * after.elapsed, 1),
        "http_requests_total_series_after": series,
    }


# ---------------------------------------------------------------------------------------
# 6. Mail flooding


async def mail_case(make_request):
    before = await settled_mail_count(5)
    resps = []
    for i in range(MAIL_REQUESTS):
        resps.append(await make_request(i))
    after = await settled_mail_count(10)
    lats = sorted(r.elapsed for r in resps if r.status is not None)
    return {
        "requests": MAIL_REQUESTS,
        "mails_sent": after - before,
        "statuses": statuses(resps),
        "latency_median_ms": round(1000 * statistics.median(lats), 1) if lats else None,
    }, resps


async def scenario_mail():
    out = {"source": "127.0.0.4, .8, .9, .60"}
    known, unverified = new_account("mailk"), new_account("mailu")
    out["accounts_signup"] = {
        known["username"]: (await signup(known, "127.0.0.7")).label,
        unverified["username"]: (await signup(unverified, "127.0.0.7")).label,
    }
    # Each case from its own sender, so that the per-sender limit of one case does not
    # decide the next, and known and unknown addresses are asked in the same state.
    out["reset_known"], known_resps = await mail_case(
        lambda i: http("POST", "/api/v1/auth/password-reset", {"email": known["email"]}, source="127.0.0.4"))
    out["resend_verification"], _ = await mail_case(
        lambda i: http("POST", "/api/v1/auth/resend-verification", {"account": unverified["username"]},
                       source="127.0.0.8"))
    out["signups_one_address"], _ = await mail_case(
        lambda i: signup(new_account("mails"), "127.0.0.9"))
    unknown_email = f"nobody{RUN}@example.go.th"
    out["reset_unknown"], unknown_resps = await mail_case(
        lambda i: http("POST", "/api/v1/auth/password-reset", {"email": unknown_email}, source="127.0.0.60"))
    k = {(r.status, r.body) for r in known_resps}
    u = {(r.status, r.body) for r in unknown_resps}
    out["known_unknown_same_status"] = {s for s, _ in k} == {s for s, _ in u}
    out["known_unknown_same_body"] = k == u
    return out


# ---------------------------------------------------------------------------------------
# Report


def table(res):
    lines = []

    def add(s):
        lines.append(s)

    def failed(name):
        r = res.get(name)
        if isinstance(r, dict) and "error" in r:
            add(f"{name}: scenario failed: {r['error']}")
            return True
        return False

    if not failed("hashing"):
        h = res["hashing"]
        add(f"hashing: rss before {h['rss_before_mb']} MB, peak {h['rss_peak_mb']} MB "
            f"(sampled {h['rss_peak_sampled_mb']} MB in {h['rss_samples_during_burst']} samples over "
            f"{h['burst_seconds']} s; VmHWM {h['vmhwm_before_mb']} -> {h['vmhwm_after_mb']} MB), "
            f"settled {h['rss_settled_mb']} MB after {h['settle_seconds']} s; "
            f"{h['answered']}/{h['requests']} answered ({fmt_statuses(h['statuses'])}); "
            f"Retry-After on 503: {h['503_with_retry_after']}, on 429: {h['429_with_retry_after']}; "
            f"latency median {h['latency_median_ms']} ms, max {h['latency_max_ms']} ms; from {h['sources']}")
    if not failed("sqlite"):
        s = res["sqlite"]["signup_burst"]
        add(f"sqlite sign-up burst: {s['requests']} parallel sign-ups in {s['seconds']} s from {s['sources']}: "
            f"{fmt_statuses(s['statuses'])}; all 201: {'yes' if s['all_201'] else 'no'}; 5xx: {s['5xx']}"
            + (f"; refusals: {fmt_statuses(s['refusals'])}" if s["refusals"] else ""))
        m = res["sqlite"]["mixed"]
        ops = "; ".join(f"{k} {fmt_statuses(v)}" for k, v in m["by_operation"].items())
        add(f"sqlite mixed load: {m['clients']} clients for {m['seconds']} s, {m['requests']} requests, "
            f"5xx: {m['5xx']}, connection errors: {m['connection_errors']} ({ops}); "
            f"latency median {m['latency_median_ms']} ms, max {m['latency_max_ms']} ms")
    if not failed("throttles"):
        t = res["throttles"]
        for key in ("login_40", "login_100"):
            x = t[key]
            ra = {None: "no 429s", True: "yes", False: "no"}[x["429_all_with_retry_after"]]
            add(f"throttle sign-in {x['requests']} parallel wrong passwords, one account, from {x['sources']}: "
                f"401 (checked): {x['checked_401']}, 429: {x['throttled_429']} "
                f"(all: {fmt_statuses(x['statuses'])}); every 429 with Retry-After: {ra}")
        c = t["authorize_code"]
        if "statuses" in c:
            ra = {None: "no 429s", True: "yes", False: "no"}[c["429_all_with_retry_after"]]
            add(f"throttle Authorize Code: {c['tries']} parallel wrong codes, one verified account, from "
                f"{c['sources']}: 422 (let through): {c['let_through_422']}, 429: {c['throttled_429']} "
                f"(all: {fmt_statuses(c['statuses'])}); every 429 with Retry-After: {ra}")
        else:
            add(f"throttle Authorize Code: not run: verification mail found {c.get('verification_mail_found')}, "
                f"verify {c.get('verify_status')}, sign-in {c.get('login_status')}, cookie {c.get('session_cookie')}")
    if not failed("slow"):
        s = res["slow"]
        b, u = s["latency_baseline"], s["latency_under_attack"]
        add(f"slow connections: {s['connections']} from {s['source']} held {s['hold_seconds']} s: "
            f"accepted {s['accepted']}, held (open after 2 s) {s['held']}, refused {s['refused']} "
            f"(503: {s['refused_503']}, closed at once: {s['closed_at_once']}, connect failed: {s['connect_failed']}), "
            f"closed by the server within the hold {s['closed_by_server_within_hold']}, "
            f"still open at the end {s['still_open_at_end']}; server fds {s['server_fds_before']} before, "
            f"peak {s['server_fds_peak']}, limit {s['server_fd_limit']}")
        for k, v in s["per_kind"].items():
            add(f"slow connections, {k}: opened {v['opened']}, held {v.get('held', 0)}, "
                f"closed by the server {v['closed_by_server']}"
                + (f" after a median {v['close_after_median_s']} s" if v["close_after_median_s"] is not None else "")
                + (f", answers {fmt_statuses(v['statuses'])}" if v["statuses"] else ""))
        add(f"slow connections, latency of {b['requests']} sequential GET /api/v1/service-points?per_page=5: "
            f"before median {b['median_ms']} ms, max {b['max_ms']} ms ({b['ok']} ok); "
            f"during median {u['median_ms']} ms, max {u['max_ms']} ms ({u['ok']} ok"
            + (f", failed {fmt_statuses(u['failures'])}" if u["failures"] else "") + ")")
    if not failed("metrics"):
        m = res["metrics"]
        add(f"metrics: GET /metrics {m['metrics_before_bytes']} bytes before, {m['metrics_after_bytes']} bytes after "
            f"{m['requests']} requests with {m['method_bytes']}-byte made-up methods in {m['seconds']} s "
            f"({fmt_statuses(m['answers'])}; {m['connections_opened']} connections); "
            f"{m['http_requests_total_series_after']} http_requests_total series; rendered in {m['metrics_after_ms']} ms")
    if not failed("mail"):
        m = res["mail"]
        names = {"reset_known": "password reset, known address",
                 "resend_verification": "resend verification, unverified account",
                 "signups_one_address": "sign-ups with new addresses",
                 "reset_unknown": "password reset, unknown address"}
        for key, name in names.items():
            x = m[key]
            add(f"mail: {name}: {x['requests']} requests from {m['source']} -> {x['mails_sent']} mails "
                f"({fmt_statuses(x['statuses'])}; median {x['latency_median_ms']} ms)")
        add(f"mail: known and unknown address answered alike: status "
            f"{'yes' if m['known_unknown_same_status'] else 'no'}, body {'yes' if m['known_unknown_same_body'] else 'no'}")
    add("server rss at the start and end of each scenario: " + ", ".join(
        f"{k} {res[k].get('server_rss_at_start_mb')} -> {res[k].get('server_rss_at_end_mb')} MB"
        for k in ("hashing", "sqlite", "throttles", "slow", "metrics", "mail") if k in res))
    add(f"server alive at the end: {'yes' if res.get('server_alive_at_end') else 'no'}")
    return "\n".join(lines)


async def main():
    global PORT, PID, MAILDIR
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--out", default="bench/results/abuse.json")
    p.add_argument("--only", default="", help="comma-separated scenarios to run (default: all)")
    a = p.parse_args()
    PORT, PID, MAILDIR = a.port, a.pid, a.maildir
    scenarios = [("hashing", scenario_hashing), ("sqlite", scenario_sqlite), ("throttles", scenario_throttles),
                 ("slow", scenario_slow), ("metrics", scenario_metrics), ("mail", scenario_mail)]
    only = {s for s in a.only.split(",") if s}
    res = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "port": PORT}
    t_all = time.monotonic()
    for name, fn in scenarios:
        if only and name not in only:
            continue
        t0 = time.monotonic()
        rss_start = mb(proc_status_kb("VmRSS"))
        print(f"[abuse] {name}…", file=sys.stderr, flush=True)
        try:
            res[name] = await fn()
        except Exception as e:  # noqa: BLE001 - report it, go on with the others
            res[name] = {"error": f"{type(e).__name__}: {e}"}
        res[name]["scenario_seconds"] = round(time.monotonic() - t0, 1)
        res[name]["server_rss_at_start_mb"] = rss_start
        res[name]["server_rss_at_end_mb"] = mb(proc_status_kb("VmRSS"))
        print(f"[abuse] {name} done in {time.monotonic() - t0:.1f} s", file=sys.stderr, flush=True)
    res["total_seconds"] = round(time.monotonic() - t_all, 1)
    res["server_alive_at_end"] = server_alive()
    res["server_rss_at_end_mb"] = mb(proc_status_kb("VmRSS"))
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, a.out)
    print(table(res))
    print(f"\n(figures in {a.out}; {res['total_seconds']} s)")


if __name__ == "__main__":
    asyncio.run(main())
