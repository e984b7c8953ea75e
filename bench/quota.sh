#!/usr/bin/env bash
# Quota enforcement's cost on push, on loopback: Berth (release build, SQLite, LocalStorage)
# runs twice with the same configuration but FEATURE_QUOTA_MANAGEMENT off, then on with a
# quota and a Reject limit on the namespace. Each run uploads one large blob in chunks and
# pushes many small manifests from several clients at once; the two runs' throughputs are
# printed side by side.
#
#   bench/quota.sh                                   # 256 MiB blob, 400 manifests, 4 clients
#   BENCH_SIZE_MIB=64 BENCH_MANIFESTS=100 bench/quota.sh
#
# Only 127.0.0.1 is contacted; everything lives in a temporary folder removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-18197}
SIZE_MIB=${BENCH_SIZE_MIB:-256}
MANIFESTS=${BENCH_MANIFESTS:-400}
CLIENTS=${BENCH_CLIENTS:-4}
WORK=$(mktemp -d /tmp/berth-quota-bench.XXXXXX)
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
    local quota=$1
    local dir="$WORK/$quota"
    mkdir -p "$dir"
    cat > "$dir/config.yaml" <<EOF
SERVER_HOSTNAME: 127.0.0.1:$PORT
FEATURE_USER_INITIALIZE: true
SUPER_USERS: [bench]
FEATURE_SUPERUSERS_FULL_ACCESS: true
FEATURE_QUOTA_MANAGEMENT: $quota
EOF
    "$BERTH" serve --data-dir "$dir/data" --config "$dir/config.yaml" \
        --listen "127.0.0.1:$PORT" > "$dir/berth.log" 2>&1 &
    PID=$!
    python3 - "$PORT" "$quota" "$SIZE_MIB" "$MANIFESTS" "$CLIENTS" <<'PY'
import base64, hashlib, http.client, json, sys, threading, time

port, quota, size_mib, manifests, clients = sys.argv[1], sys.argv[2] == "true", *map(int, sys.argv[3:])
host = f"127.0.0.1:{port}"

def call(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, timeout=600)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

for _ in range(300):
    try:
        call("GET", "/health/instance")
        break
    except OSError:
        time.sleep(0.1)

status, _, body = call("POST", "/api/v1/user/initialize",
    json.dumps({"username": "bench", "password": "bench-password", "email": "bench@example.com", "access_token": True}),
    {"Content-Type": "application/json"})
api = {"Authorization": "Bearer " + json.loads(body)["access_token"], "Content-Type": "application/json"}
if quota:
    assert call("POST", "/api/v1/superuser/users/bench/quota", json.dumps({"limit_bytes": 1 << 40}), api)[0] == 201
    limit = json.dumps({"type": "Reject", "threshold_percent": 100})
    assert call("POST", "/api/v1/organization/bench/quota/1/limit", limit, api)[0] == 201

basic = "Basic " + base64.b64encode(b"bench:bench-password").decode()
_, _, body = call("GET", f"/v2/auth?service={host}&scope=repository:bench/app:pull,push", headers={"Authorization": basic})
auth = {"Authorization": "Bearer " + json.loads(body)["token"]}

def upload(data, chunk):
    status, headers, _ = call("POST", "/v2/bench/app/blobs/uploads/", b"", auth)
    location = headers["location"]
    path = location.split(host, 1)[-1]
    for start in range(0, len(data), chunk):
        piece = data[start:start + chunk]
        h = dict(auth, **{"Content-Type": "application/octet-stream", "Content-Range": f"{start}-{start + len(piece) - 1}"})
        status, headers, _ = call("PATCH", path, piece, h)
        assert status == 202, status
        path = headers["location"].split(host, 1)[-1]
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    sep = "&" if "?" in path else "?"
    status, _, body = call("PUT", f"{path}{sep}digest={digest}", b"", auth)
    assert status == 201, (status, body)
    return digest

blob = bytes(range(256)) * (size_mib * 4096)
started = time.monotonic()
layer = upload(blob, 16 << 20)
upload_s = time.monotonic() - started

config = b'{"architecture":"amd64","os":"linux"}'
config_digest = upload(config, len(config))
def manifest(i):
    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": len(blob)}],
        "annotations": {"n": str(i)},
    }).encode()

failures = []
def pusher(k):
    for i in range(k, manifests, clients):
        status, _, body = call("PUT", f"/v2/bench/app/manifests/t{i}", manifest(i),
            dict(auth, **{"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
        if status != 201:
            failures.append((status, body))
started = time.monotonic()
threads = [threading.Thread(target=pusher, args=(k,)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
put_s = time.monotonic() - started
assert not failures, failures[:3]
label = "quota on " if quota else "quota off"
print(f"{label}: blob upload {size_mib / upload_s:8.1f} MiB/s | manifest PUT {manifests / put_s:8.1f} /s ({clients} clients)")
PY
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}

run false
run true
