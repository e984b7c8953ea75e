#!/usr/bin/env bash
# Proxy cache on loopback: two release Berths, an upstream holding a public image (a config and
# one random layer, 64 MiB by default) and a proxy whose organization `hub` caches it. Times a
# whole pull (manifest, config, layer, bodies read and dropped) four ways: straight from the
# upstream, through the proxy cold (it copies the image first), through the proxy warm, and
# warm with the upstream stopped. Each warm figure is the best of five.
#
#   bench/proxy.sh                      # 64 MiB layer
#   BENCH_LAYER_MIB=16 bench/proxy.sh
#
# Only 127.0.0.1 is contacted; everything lives in a temporary folder removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
UPSTREAM_PORT=${BENCH_PORT:-18192}
PROXY_PORT=$((UPSTREAM_PORT + 1))
LAYER_MIB=${BENCH_LAYER_MIB:-64}
WORK=$(mktemp -d /tmp/berth-proxy.XXXXXX)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building release berth"
(cd "$ROOT" && cargo build --release --quiet)
BERTH="$ROOT/target/release/berth"

start() {
    local name=$1 port=$2 extra=$3
    mkdir -p "$WORK/$name"
    printf 'SERVER_HOSTNAME: 127.0.0.1:%s\nSUPER_USERS: [bench]\nFEATURE_USER_INITIALIZE: true\nFEATURE_MAILING: false\n%b' \
        "$port" "$extra" > "$WORK/$name/config.yaml"
    "$BERTH" serve --config "$WORK/$name/config.yaml" --data-dir "$WORK/$name/data" \
        --listen "127.0.0.1:$port" --no-build-worker > "$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 300); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/health/instance" && return 0
        sleep 0.1
    done
    echo "$name did not start" >&2
    return 1
}
start upstream "$UPSTREAM_PORT" ""
start proxy "$PROXY_PORT" "FEATURE_PROXY_CACHE: true\nSSRF_ALLOWED_HOSTS: [127.0.0.1]\n"

python3 - "$UPSTREAM_PORT" "$PROXY_PORT" "$LAYER_MIB" "${PIDS[0]}" <<'PY'
import base64, hashlib, http.client, json, os, sys, time

up_port, proxy_port, layer_mib, up_pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
UP, PROXY = f"127.0.0.1:{up_port}", f"127.0.0.1:{proxy_port}"
BASIC = "Basic " + base64.b64encode(b"bench:bench-password").decode()
MEDIA = "application/vnd.oci.image.manifest.v1+json"

def call(host, method, path, body=None, headers=None, sink=False):
    conn = http.client.HTTPConnection(host, timeout=600)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    if sink:
        while resp.read(1 << 20):
            pass
        data = b""
    else:
        data = resp.read()
    conn.close()
    return resp.status, data

for host in (UP, PROXY):
    status, body = call(host, "POST", "/api/v1/user/initialize", json.dumps({
        "username": "bench", "password": "bench-password", "email": "bench@example.com",
        "access_token": True}), {"Content-Type": "application/json"})
    assert status == 200, body
    headers = {"Authorization": "Bearer " + json.loads(body)["access_token"],
               "Content-Type": "application/json"}
    if host == PROXY:
        api = headers
    else:
        up_api = headers

def token(host, repo, actions):
    status, body = call(host, "GET", f"/v2/auth?service={host}&scope=repository:{repo}:{actions}",
                        headers={"Authorization": BASIC})
    assert status == 200, body
    return {"Authorization": "Bearer " + json.loads(body)["token"]}

push = token(UP, "bench/app", "pull,push")
def upload(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, body = call(UP, "POST", f"/v2/bench/app/blobs/uploads/?digest={digest}", data,
                        dict(push, **{"Content-Type": "application/octet-stream"}))
    assert status == 201, body
    return digest
config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
layer = os.urandom(layer_mib << 20)
manifest = json.dumps({"schemaVersion": 2, "mediaType": MEDIA,
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": upload(config), "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": upload(layer), "size": len(layer)}]}).encode()
del layer
status, body = call(UP, "PUT", "/v2/bench/app/manifests/v1", manifest, dict(push, **{"Content-Type": MEDIA}))
assert status == 201, body
status, body = call(UP, "POST", "/api/v1/repository/bench/app/changevisibility",
                    json.dumps({"visibility": "public"}), up_api)
assert status == 200, body

status, body = call(PROXY, "POST", "/api/v1/organization/", json.dumps({"name": "hub", "email": "hub@example.com"}), api)
assert status == 201, body
status, body = call(PROXY, "POST", "/api/v1/organization/hub/proxycache",
                    json.dumps({"upstream_registry": f"{UP}/bench", "insecure": True}), api)
assert status == 201, body

def pull(host, repo):
    auth = token(host, repo, "pull")
    started = time.monotonic()
    status, body = call(host, "GET", f"/v2/{repo}/manifests/v1", headers=dict(auth, Accept=MEDIA))
    assert status == 200, (status, body)
    parsed = json.loads(body)
    for blob in [parsed["config"]] + parsed["layers"]:
        status, _ = call(host, "GET", f"/v2/{repo}/blobs/{blob['digest']}", headers=auth, sink=True)
        assert status == 200, status
    return time.monotonic() - started

def report(what, seconds):
    print(f"{what:34}: {seconds * 1000:8.1f} ms  ({layer_mib / seconds:7.1f} MiB/s)")

report("direct from the upstream (best of 5)", min(pull(UP, "bench/app") for _ in range(5)))
report("through the proxy, cold", pull(PROXY, "hub/app"))
report("through the proxy, warm (best of 5)", min(pull(PROXY, "hub/app") for _ in range(5)))
os.kill(up_pid, 15)
time.sleep(1)
report("warm, upstream stopped (best of 5)", min(pull(PROXY, "hub/app") for _ in range(5)))
PY
