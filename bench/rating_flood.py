"""1,000 rating submissions from one address to one poster, then the report's view of
them. Standard library only; see bench/rating-flood.sh."""

import http.client
import json
import sys
import time

HOST, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
POINT = "0112140410304"


def call(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, timeout=30)
    h = {"content-type": "application/json"}
    h.update(headers or {})
    conn.request(method, path, json.dumps(body) if body is not None else None, h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.getheader("set-cookie") or "", data


status, cookie, _ = call("POST", "/api/v1/auth/login", {"username": USER, "password": PASSWORD})
assert status == 200, status
session = {"cookie": cookie.split(";")[0]}
status, _, data = call("PUT", f"/api/v1/staff/service-points/{POINT}/poster", {"enabled": True}, session)
assert status == 200, data
token = json.loads(data)["url"].rsplit("/", 1)[1]
_, _, data = call("GET", f"/api/v1/ratings/{token}")
form_token = json.loads(data)["form_token"]
time.sleep(3.2)

results = {}
for scenario, user_agent in [("a browser name per submission", None), ("one browser name", "Flood/1.0")]:
    counts = {}
    started = time.monotonic()
    for i in range(1000):
        ua = user_agent or f"Mozilla/5.0 flood {scenario[:1]} {i}"
        status, _, _ = call(
            "POST",
            f"/api/v1/ratings/{token}",
            {"form_token": form_token, "overall": 1, "comment": "flood"},
            {"user-agent": ua},
        )
        counts[status] = counts.get(status, 0) + 1
    results[scenario] = {
        "seconds": round(time.monotonic() - started, 1),
        "answers": {str(k): v for k, v in sorted(counts.items())},
        "counted": counts.get(201, 0),
    }
    # The second scenario is another poster's worth of address: rotate the poster.
    status, _, data = call("POST", f"/api/v1/staff/service-points/{POINT}/poster/rotate", None, session)
    assert status == 200, data
    token = json.loads(data)["url"].rsplit("/", 1)[1]
    _, _, data = call("GET", f"/api/v1/ratings/{token}")
    form_token = json.loads(data)["form_token"]
    time.sleep(3.2)

_, _, data = call("GET", f"/api/v1/staff/reports/preliminary?unit={POINT}", None, session)
report = json.loads(data)
results["report"] = {
    "ratings": report["ratings"],
    "refused": {r["key"]: r["count"] for r in report["refused"]},
}
print(json.dumps(results, ensure_ascii=False, indent=2))
