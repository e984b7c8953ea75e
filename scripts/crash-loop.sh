#!/usr/bin/env bash
# Crash consistency: pushes, tag deletes, organization deletes (namespace purges) and garbage
# collection run against a release `berth serve` that is killed with SIGKILL at random moments
# and restarted, on SQLite and (when one answers on 127.0.0.1:5432) PostgreSQL, each on a local
# folder and on S3 (moto's server, when `moto_server` is installed). After every restart, every
# acknowledged manifest and blob must read back whole under its digest, every acknowledged tag
# delete must hold, no tag may point at anything unreadable, a deleted organization must be
# gone and its name free and empty, the usage log must hold an entry for every acknowledged
# push, tag delete and organization delete, and a push must succeed again. After each restart
# the changes acknowledged since the previous one are checked; at the end, all of them, and
# the bytes of every purged organization's layers must have left storage.
#
#   scripts/crash-loop.sh                # 50 kills per engine and storage
#   CRASH_KILLS=10 scripts/crash-loop.sh
#   CRASH_STORAGES=s3 scripts/crash-loop.sh   # S3 only (`local`, `s3` or both)
#
# Only 127.0.0.1 is contacted; everything lives in a temporary folder removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${CRASH_PORT:-18195}
MOTO_PORT=$((PORT + 1))
KILLS=${CRASH_KILLS:-50}
WORK=$(mktemp -d /tmp/berth-crash.XXXXXX)
trap 'pkill -KILL -f "$WORK" 2>/dev/null || true; pkill -f "moto_server -H 127.0.0.1 -p $MOTO_PORT" 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== building release berth"
(cd "$ROOT" && cargo build --release --quiet)

# run ENGINE STORAGE: STORAGE is `local`, or the URL of an S3 bucket on moto.
run() {
    local engine=$1 storage=$2 dir="$WORK/$1-${2##*/}"
    mkdir -p "$dir"
    # Collection every second and no time machine, so deletes really collect.
    printf 'SERVER_HOSTNAME: 127.0.0.1:%s\nFEATURE_USER_INITIALIZE: true\nSUPER_USERS: [crash]\nDEFAULT_TAG_EXPIRATION: 0s\nGARBAGE_COLLECTION_FREQUENCY: 1\nPUSH_TEMP_TAG_EXPIRATION_SEC: 30\n' \
        "$PORT" > "$dir/config.yaml"
    if [ "$engine" = postgres ]; then
        psql -h 127.0.0.1 -U postgres -d test -qc 'DROP DATABASE IF EXISTS berth_crash' \
            -c 'CREATE DATABASE berth_crash' >/dev/null 2>&1
        echo "DB_URI: postgresql://postgres@127.0.0.1:5432/berth_crash" >> "$dir/config.yaml"
    fi
    if [ "$storage" != local ]; then
        curl -fsS -X PUT "$storage" >/dev/null
        # Blob reads pass through Berth (no redirect to the bucket), so the checks read them.
        printf 'DISTRIBUTED_STORAGE_CONFIG:\n  default: [S3Storage, {s3_bucket: %s, storage_path: /registry, endpoint_url: "%s", s3_access_key: crash, s3_secret_key: crash}]\nDISTRIBUTED_STORAGE_PREFERENCE: [default]\nFEATURE_PROXY_STORAGE: true\n' \
            "${storage##*/}" "${storage%/*}" >> "$dir/config.yaml"
    fi
    python3 - "$ROOT/target/release/berth" "$dir" "$PORT" "$engine" "$KILLS" "$storage" <<'PY'
import base64, hashlib, http.client, json, os, random, signal, subprocess, sys, threading, time
import urllib.parse, urllib.request

berth, workdir, port, engine, kills, storage = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
label = f"{engine}, {'local' if storage == 'local' else 'S3'}"
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
acked_purges = {}     # organization -> its image's layer digest

def stored(digest):
    """Whether the bytes of blob `digest` are in storage."""
    hexdigest = digest.split(":")[1]
    key = f"sha256/{hexdigest[:2]}/{hexdigest}"
    if storage == "local":
        return os.path.exists(f"{workdir}/data/blobs/{key}")
    # Moto lets anonymous callers list a bucket, not read objects the server wrote.
    query = urllib.parse.urlencode({"list-type": "2", "prefix": f"registry/{key}"})
    with urllib.request.urlopen(f"{storage}?{query}") as listing:
        return b"<Key>" in listing.read()

def push(repo, tag):
    acked_pushes[(repo, tag)] = send_image(repo, tag)

def send_image(repo, tag):
    """Pushes a config and a random layer, then the manifest; its digest and its blobs'."""
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
    return digest_of(manifest), [digest_of(b) for b in blobs]

def delete(repo, tag):
    tried_deletes.add((repo, tag))
    status, body = call("DELETE", f"/api/v1/repository/{repo}/tag/{tag}", headers=api)
    assert status == 204, (status, body)
    acked_deletes.add((repo, tag))

def create_org(org):
    status, body = call("POST", "/api/v1/organization/",
                        json.dumps({"name": org, "email": f"{org}@example.com"}),
                        dict(api, **{"Content-Type": "application/json"}))
    assert status == 201, (status, body)

def purge():
    """An organization created, pushed into and deleted: its purge runs in the background."""
    org = f"p{time.monotonic_ns()}"
    create_org(org)
    _, blobs = send_image(f"{org}/app", "v1")
    status, body = call("DELETE", f"/api/v1/organization/{org}", headers=api)
    assert status == 204, (status, body)
    acked_purges[org] = blobs[1]

def worker(stop):
    n = 0
    while not stop.is_set():
        n += 1
        repo = f"crash/r{n % 4}"
        try:
            live = [key for key in acked_pushes if key not in acked_deletes and key[0] == repo]
            draw = random.random()
            if live and draw < 0.3:
                delete(*random.choice(live))
            elif draw < 0.4:
                purge()
            else:
                push(repo, f"t{time.monotonic_ns()}")
        except Exception:
            pass  # the server went away mid-operation: not acknowledged

def check(keys, orgs):
    """Reads back the acknowledged pushes and deletes among `keys`, every listed tag, the
    deleted organizations `orgs`, and the usage log's entries."""
    failures = []
    for org in orgs:
        status, _ = call("GET", f"/api/v1/organization/{org}", headers=api)
        if status != 404:
            failures.append(f"deleted organization {org} answers {status}")
        status, body = call("GET", f"/api/v1/repository?namespace={org}", headers=api)
        if status == 200 and json.loads(body)["repositories"]:
            failures.append(f"deleted organization {org} still lists repositories")
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
    # An entry for every acknowledged push, tag delete and organization delete.
    logged, page = set(), None
    while True:
        path = "/api/v1/superuser/logs?starttime=01/01/2000" + (f"&next_page={page}" if page else "")
        status, body = call("GET", path, headers=api)
        body = json.loads(body)
        for entry in body["logs"]:
            meta = entry["metadata"]
            if entry["kind"] in ("push_repo", "delete_tag"):
                logged.add((entry["kind"], f"{meta['namespace']}/{meta['repo']}", meta.get("tag")))
            elif entry["kind"] == "org_delete":
                logged.add(("org_delete", meta["namespace"]))
        page = body.get("next_page")
        if not page:
            break
    missing = [key for key in keys if ("push_repo", *key) not in logged]
    missing += [key for key in keys if key in acked_deletes and ("delete_tag", *key) not in logged]
    missing += [org for org in orgs if ("org_delete", org) not in logged]
    if missing:
        failures.append(f"{len(missing)} acknowledged changes without a usage-log entry: {missing[:3]}")
    return failures

proc = start()
status, body = call("POST", "/api/v1/user/initialize",
    json.dumps({"username": "crash", "password": "crash-password", "email": "crash@example.com", "access_token": True}),
    {"Content-Type": "application/json"})
api = {"Authorization": "Bearer " + json.loads(body)["access_token"]}
started = time.monotonic()
for kill in range(1, kills + 1):
    before = set(acked_pushes) | set(acked_deletes)
    purged_before = set(acked_purges)
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
    failures = check([key for key in acked_pushes if key not in before or key in acked_deletes - before],
                     [org for org in acked_purges if org not in purged_before])
    try:
        push("crash/again", f"k{kill}")
    except Exception as err:
        failures.append(f"a push after restart failed: {err}")
    if failures:
        proc.kill()
        raise SystemExit(f"{label}: after kill {kill}: " + "; ".join(failures[:5]))
failures = check(list(acked_pushes), list(acked_purges))
# Each deleted organization's name is free, and a new organization of that name starts empty.
for org in list(acked_purges)[:20]:
    create_org(org)
    status, body = call("GET", f"/api/v1/repository?namespace={org}", headers=api)
    if status != 200 or json.loads(body)["repositories"]:
        failures.append(f"organization {org} created again is not empty ({status})")
# The purges finish: every purged layer leaves storage.
deadline = time.monotonic() + 120
while any(stored(layer) for layer in acked_purges.values()) and time.monotonic() < deadline:
    time.sleep(1)
left = [org for org, layer in acked_purges.items() if stored(layer)]
if left:
    failures.append(f"{len(left)} purged organizations' layers still stored, e.g. {left[0]}")
proc.kill()
proc.wait()
if failures:
    raise SystemExit(f"{label}: at the end: " + "; ".join(failures[:5]))
live = sum(1 for key in acked_pushes if key not in acked_deletes)
print(f"{label:16}: {kills} kills in {time.monotonic() - started:.0f} s: {len(acked_pushes)} acknowledged pushes "
      f"({live} still tagged), {len(acked_deletes)} acknowledged tag deletes, {len(acked_purges)} organizations "
      f"deleted and purged, all intact after every restart")
PY
}

wanted=${CRASH_STORAGES:-local s3}
storages=()
[[ " $wanted " == *" local "* ]] && storages+=(local)
if [[ " $wanted " != *" s3 "* ]]; then
    :
elif command -v moto_server >/dev/null 2>&1; then
    moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$MOTO_PORT") 2>/dev/null && break
        sleep 0.1
    done
    storages+=(s3)
else
    echo "S3: skipped (moto_server is not installed; scripts/test installs it)"
fi
engines=(sqlite)
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    engines+=(postgres)
else
    echo "postgres: skipped (nothing answers on 127.0.0.1:5432)"
fi
for storage in "${storages[@]}"; do
    for engine in "${engines[@]}"; do
        if [ "$storage" = s3 ]; then
            run "$engine" "http://127.0.0.1:$MOTO_PORT/crash-$engine"
        else
            run "$engine" local
        fi
    done
done
