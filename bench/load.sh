#!/usr/bin/env bash
# Load on loopback: a release Berth on SQLite (and on PostgreSQL when one answers on
# 127.0.0.1:5432), 50 clients pushing distinct images and 200 pulling one manifest at once for
# a bounded time. Reports requests, failures, manifest GET p50/p99 (under load and quiet) and
# the server's peak RSS.
#
#   bench/load.sh                                  # 120 s per engine, 50 pushers, 200 pullers
#   BENCH_SECONDS=30 BENCH_PUSHERS=10 BENCH_PULLERS=40 bench/load.sh
#
# Only 127.0.0.1 is contacted; everything lives in a temporary folder removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-18196}
SECONDS_PER_ENGINE=${BENCH_SECONDS:-120}
PUSHERS=${BENCH_PUSHERS:-50}
PULLERS=${BENCH_PULLERS:-200}
WORK=$(mktemp -d /tmp/berth-load.XXXXXX)
PID=

cleanup() {
    [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building release berth"
(cd "$ROOT" && cargo build --release --quiet)
BERTH="$ROOT/target/release/berth"

run() {
    local engine=$1
    local dir="$WORK/$engine"
    mkdir -p "$dir"
    printf 'SERVER_HOSTNAME: 127.0.0.1:%s\nFEATURE_USER_INITIALIZE: true\nSUPER_USERS: [load]\n' \
        "$PORT" > "$dir/config.yaml"
    if [ "$engine" = postgres ]; then
        psql -h 127.0.0.1 -U postgres -d test -qc 'DROP DATABASE IF EXISTS berth_load' \
            -c 'CREATE DATABASE berth_load' >/dev/null 2>&1
        echo "DB_URI: postgresql://postgres@127.0.0.1:5432/berth_load" >> "$dir/config.yaml"
    fi
    "$BERTH" serve --data-dir "$dir/data" --config "$dir/config.yaml" \
        --listen "127.0.0.1:$PORT" > "$dir/berth.log" 2>&1 &
    PID=$!
    python3 - "$PORT" "$engine" "$SECONDS_PER_ENGINE" "$PUSHERS" "$PULLERS" "$PID" <<'PY'
import base64, hashlib, http.client, json, os, sys, threading, time

port, engine, duration, pushers, pullers, pid = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
host = f"127.0.0.1:{port}"
local = threading.local()

def call(method, path, body=None, headers=None):
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = http.client.HTTPConnection(host, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    except Exception:
        conn.close()
        local.conn = None
        raise

for _ in range(300):
    try:
        http.client.HTTPConnection(host, timeout=5).request("GET", "/health/instance")
        break
    except OSError:
        time.sleep(0.1)

status, _, body = call("POST", "/api/v1/user/initialize",
    json.dumps({"username": "load", "password": "load-password", "email": "load@example.com"}),
    {"Content-Type": "application/json"})
assert status == 200, body
basic = "Basic " + base64.b64encode(b"load:load-password").decode()

def token(repo):
    status, _, body = call("GET", f"/v2/auth?service={host}&scope=repository:{repo}:pull,push",
                           headers={"Authorization": basic})
    assert status == 200, body
    return {"Authorization": "Bearer " + json.loads(body)["token"]}

def upload(auth, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, _, body = call("POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", data,
                           dict(auth, **{"Content-Type": "application/octet-stream"}))
    if status != 201:
        raise RuntimeError(f"blob upload {status}")
    return digest

def push(auth, repo, tag, seed):
    config = json.dumps({"architecture": "amd64", "os": "linux", "seed": seed}).encode()
    layer = os.urandom(64 * 1024)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": upload(auth, repo, config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": upload(auth, repo, layer), "size": len(layer)}],
    }).encode()
    status, _, _ = call("PUT", f"/v2/{repo}/manifests/{tag}", manifest,
                        dict(auth, **{"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
    if status != 201:
        raise RuntimeError(f"manifest put {status}")

base_auth = token("load/base")
push(base_auth, "load/base", "v1", "base")
accept = {"Accept": "application/vnd.oci.image.manifest.v1+json"}

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0

def pull_latencies(auth, seconds):
    latencies, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        status, _, _ = call("GET", "/v2/load/base/manifests/v1", headers=dict(auth, **accept))
        if status != 200:
            raise RuntimeError(f"manifest get {status}")
        latencies.append(time.monotonic() - started)
    return latencies

quiet = pull_latencies(base_auth, 5)

stop = time.monotonic() + duration
counts = {"push": 0, "pull": 0, "failed": 0}
latencies, lock = [], threading.Lock()

def pusher(i):
    repo = f"load/p{i}"
    auth, n = token(repo), 0
    while time.monotonic() < stop:
        try:
            push(auth, repo, f"t{n}", f"{i}-{n}")
            with lock: counts["push"] += 1
        except Exception:
            with lock: counts["failed"] += 1
        n += 1

def puller():
    auth = token("load/base")
    while time.monotonic() < stop:
        try:
            mine = pull_latencies(auth, 1)
            with lock:
                counts["pull"] += len(mine)
                latencies.extend(mine)
        except Exception:
            with lock: counts["failed"] += 1

def peak_rss_mib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0

threads = [threading.Thread(target=pusher, args=(i,)) for i in range(pushers)]
threads += [threading.Thread(target=puller) for _ in range(pullers)]
for t in threads: t.start()
for t in threads: t.join()
print(f"{engine:8}: {duration} s, {pushers} pushers / {pullers} pullers: "
      f"{counts['push']} images pushed, {counts['pull']} manifest GETs, {counts['failed']} failed; "
      f"GET p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms "
      f"(quiet: p50 {percentile(quiet, 0.5):.2f} ms, p99 {percentile(quiet, 0.99):.2f} ms); "
      f"peak RSS {peak_rss_mib():.0f} MiB")
PY
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}

run sqlite
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    run postgres
else
    echo "postgres: skipped (nothing answers on 127.0.0.1:5432)"
fi
