#!/usr/bin/env bash
# Crash consistency: pushes, tag deletes and garbage collection run against a release
# `berth serve` that is killed with SIGKILL at random moments and restarted, on SQLite and (when
# one answers on 127.0.0.1:5432) PostgreSQL. After every restart, every acknowledged manifest
# and blob must read back whole under its digest, every acknowledged tag delete must hold, no
# tag may point at anything unreadable, the usage log must hold a push entry for every
# acknowledged push, and a push must succeed again. After each restart the changes acknowledged
# since the previous one are read back; at the end, all of them.
#
#   scripts/crash-loop.sh                # 50 kills per engine
#   CRASH_KILLS=10 scripts/crash-loop.sh
#
# Only 127.0.0.1 is contacted; everything lives in a temporary folder removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${CRASH_PORT:-18195}
KILLS=${CRASH_KILLS:-50}
WORK=$(mktemp -d /tmp/berth-crash.XXXXXX)
trap 'pkill -KILL -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== building release berth"
(cd "$ROOT" && cargo build --release --quiet)

run() {
    local engine=$1 dir="$WORK/$1"
    mkdir -p "$dir"
    # Collection every second and no time machine, so deletes really collect.
    printf 'SERVER_HOSTNAME: 127.0.0.1:%s\nFEATURE_USER_INITIALIZE: true\nSUPER_USERS: [crash]\nDEFAULT_TAG_EXPIRATION: 0s\nGARBAGE_COLLECTION_FREQUENCY: 1\nPUSH_TEMP_TAG_EXPIRATION_SEC: 30\n' \
        "$PORT" > "$dir/config.yaml"
    if [ "$engine" = postgres ]; then
        psql -h 127.0.0.1 -U postgres -d test -qc 'DROP DATABASE IF EXISTS berth_crash' \
            -c 'CREATE DATABASE berth_crash' >/dev/null 2>&1
        echo "DB_URI: postgresql://postgres@127.0.0.1:5432/berth_crash" >> "$dir/config.yaml"
    fi
    python3 - "$ROOT/target/release/berth" "$dir" "$PORT" "$engine" "$KILLS" <<'PY'
import base64, hashlib, http.client, json, os, random, signal, subprocess, sys, threading, time

berth, workdir, port, engine, kills = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
host = f"127.0.0.1:{port}"
basic = "Basic " + base64.b64encode(b"crash:crash-password").decode()

def start():
    log = open(f"{workdir}/berth.log", "ab")
    proc = subprocess.Popen([berth, "serve", "--data-dir", f"{workdir}/data", "--config",
                             f"{workdir}/config.yaml", "--listen", host], stdout=log, stderr=log)
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection(host, timeout=2)
            conn.request("GET", "/health/instance")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.05)
    raise SystemExit("berth did not start")

def call(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data

def token(repo):
    status, body = call("GET", f"/v2/auth?service={host}&scope=repository:{repo}:pull,push",
                        headers={"Authorization": basic})
    assert status == 200, body
    return {"Authorization": "Bearer " + json.loads(body)["token"]}

def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()

acked_pushes = {}     # (repo, tag) -> (manifest digest, [blob digests])
acked_deletes = set() # (repo, tag)
# Deletes sent whose answer never came: the server may or may not have done them.
tried_deletes = set()

def push(repo, tag):
    auth = token(repo)
    blobs = [json.dumps({"os": "linux", "tag": tag}).encode(), os.urandom(random.randint(1, 300_000))]
    for blob in blobs:
        status, body = call("POST", f"/v2/{repo}/blobs/uploads/?digest={digest_of(blob)}", blob,
                            dict(auth, **{"Content-Type": "application/octet-stream"}))
        assert status == 201, (status, body)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest_of(blobs[0]), "size": len(blobs[0])},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest_of(blobs[1]), "size": len(blobs[1])}]}).encode()
    status, body = call("PUT", f"/v2/{repo}/manifests/{tag}", manifest,
                        dict(auth, **{"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
    assert status == 201, (status, body)
    acked_pushes[(repo, tag)] = (digest_of(manifest), [digest_of(b) for b in blobs])

def delete(repo, tag):
    tried_deletes.add((repo, tag))
    status, body = call("DELETE", f"/api/v1/repository/{repo}/tag/{tag}", headers=api)
    assert status == 204, (status, body)
    acked_deletes.add((repo, tag))

def worker(stop):
    n = 0
    while not stop.is_set():
        n += 1
        repo = f"crash/r{n % 4}"
        try:
            live = [key for key in acked_pushes if key not in acked_deletes and key[0] == repo]
            if live and random.random() < 0.3:
                delete(*random.choice(live))
            else:
                push(repo, f"t{time.monotonic_ns()}")
        except Exception:
            pass  # the server went away mid-operation: not acknowledged

def check(keys):
    """Reads back the acknowledged pushes and deletes among `keys`, every listed tag, and the
    usage log's push entries."""
    failures = []
    for (repo, tag) in keys:
        manifest, blobs = acked_pushes[(repo, tag)]
        auth = token(repo)
        accept = dict(auth, Accept="application/vnd.oci.image.manifest.v1+json")
        if (repo, tag) not in acked_deletes:
            status, body = call("GET", f"/v2/{repo}/manifests/{tag}", headers=accept)
            if status == 404 and (repo, tag) in tried_deletes:
                continue
            if status != 200 or digest_of(body) != manifest:
                failures.append(f"{repo}:{tag} lost ({status})")
                continue
            for blob in blobs:
                status, body = call("GET", f"/v2/{repo}/blobs/{blob}", headers=auth)
                if status != 200 or digest_of(body) != blob:
                    failures.append(f"{repo}:{tag} blob {blob} lost ({status})")
        else:
            status, _ = call("GET", f"/v2/{repo}/manifests/{tag}", headers=accept)
            if status != 404:
                failures.append(f"{repo}:{tag} deleted but answers {status}")
    # Every listed tag reads back whole.
    for r in range(4):
        repo = f"crash/r{r}"
        auth = token(repo)
        status, body = call("GET", f"/v2/{repo}/tags/list?n=10000", headers=auth)
        if status == 404:
            continue
        for tag in json.loads(body).get("tags") or []:
            status, body = call("GET", f"/v2/{repo}/manifests/{tag}",
                                headers=dict(auth, Accept="application/vnd.oci.image.manifest.v1+json"))
            if status != 200:
                failures.append(f"{repo}:{tag} listed but answers {status}")
                continue
            for layer in [json.loads(body)["config"]] + json.loads(body)["layers"]:
                status, blob = call("GET", f"/v2/{repo}/blobs/{layer['digest']}", headers=auth)
                if status != 200 or digest_of(blob) != layer["digest"]:
                    failures.append(f"{repo}:{tag} names an unreadable blob ({status})")
    # A push entry for every acknowledged push.
    logged, page = set(), None
    while True:
        path = "/api/v1/superuser/logs?starttime=01/01/2000" + (f"&next_page={page}" if page else "")
        status, body = call("GET", path, headers=api)
        body = json.loads(body)
        for entry in body["logs"]:
            if entry["kind"] == "push_repo":
                meta = entry["metadata"]
                logged.add((f"{meta['namespace']}/{meta['repo']}", meta.get("tag")))
        page = body.get("next_page")
        if not page:
            break
    missing = [key for key in keys if key not in logged]
    if missing:
        failures.append(f"{len(missing)} acknowledged pushes without a usage-log entry")
    return failures

proc = start()
status, body = call("POST", "/api/v1/user/initialize",
    json.dumps({"username": "crash", "password": "crash-password", "email": "crash@example.com", "access_token": True}),
    {"Content-Type": "application/json"})
api = {"Authorization": "Bearer " + json.loads(body)["access_token"]}
started = time.monotonic()
for kill in range(1, kills + 1):
    before = set(acked_pushes) | set(acked_deletes)
    stop = threading.Event()
    thread = threading.Thread(target=worker, args=(stop,))
    thread.start()
    time.sleep(random.uniform(0.05, 1.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    thread.join()
    proc = start()
    # What this round acknowledged is read back now; everything again at the end.
    failures = check([key for key in acked_pushes if key not in before or key in acked_deletes - before])
    try:
        push("crash/again", f"k{kill}")
    except Exception as err:
        failures.append(f"a push after restart failed: {err}")
    if failures:
        proc.kill()
        raise SystemExit(f"{engine}: after kill {kill}: " + "; ".join(failures[:5]))
failures = check(list(acked_pushes))
proc.kill()
proc.wait()
if failures:
    raise SystemExit(f"{engine}: at the end: " + "; ".join(failures[:5]))
live = sum(1 for key in acked_pushes if key not in acked_deletes)
print(f"{engine:8}: {kills} kills in {time.monotonic() - started:.0f} s: {len(acked_pushes)} acknowledged pushes "
      f"({live} still tagged), {len(acked_deletes)} acknowledged tag deletes, all intact after every restart")
PY
}

run sqlite
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    run postgres
else
    echo "postgres: skipped (nothing answers on 127.0.0.1:5432)"
fi
