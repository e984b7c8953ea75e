#!/usr/bin/env bash
# Two nodes of one registry on loopback: release Berth twice on one PostgreSQL database and one
# blob folder, as docs/scale-out.md runs them. Pushes an image through node 1, then runs wrk
# pulling its manifest (GET, bearer token) against node 1 alone, and against both nodes at once
# (one wrk per node, at the same time, each with the same connections as the single run).
# Reports requests per second, latency and errors for each, and each node's peak RSS.
#
#   bench/cluster.sh                       # 15 s per run, 2 threads and 32 connections per wrk
#   BENCH_SECONDS=5 BENCH_CONNECTIONS=16 bench/cluster.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust). Only 127.0.0.1 is contacted;
# the database berth_cluster_bench is dropped and everything else lives in a temporary folder
# removed at exit. On a machine with few cores the nodes and wrk share them: the figures say
# how far one machine goes, not what two machines give.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT1=${BENCH_PORT:-18190}
PORT2=$((PORT1 + 1))
SECONDS_PER_RUN=${BENCH_SECONDS:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DB=berth_cluster_bench
WORK=$(mktemp -d /tmp/berth-cluster.XXXXXX)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "failed at line $LINENO; server logs:" >&2; tail -20 "$WORK"/*.log >&2' ERR

command -v wrk >/dev/null || { echo "missing tool: wrk (apt-get install wrk)" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null ||
    { echo "PostgreSQL must answer on 127.0.0.1:5432" >&2; exit 1; }

echo "== building release berth"
(cd "$ROOT" && cargo build --release --quiet)
BERTH="$ROOT/target/release/berth"

psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "CREATE DATABASE $DB" >/dev/null 2>&1
# One config for both nodes: the registry's name is node 1's address (a load balancer's in
# production), so a token from either node is good on both.
cat > "$WORK/config.yaml" <<EOF
SERVER_HOSTNAME: 127.0.0.1:$PORT1
SUPER_USERS: [bench]
FEATURE_USER_INITIALIZE: true
FEATURE_MAILING: false
DB_URI: postgresql://postgres@127.0.0.1:5432/$DB
DISTRIBUTED_STORAGE_CONFIG:
  default: [LocalStorage, {storage_path: $WORK/blobs}]
DISTRIBUTED_STORAGE_PREFERENCE: [default]
EOF

start() {
    local n=$1 port=$2
    "$BERTH" serve --config "$WORK/config.yaml" --data-dir "$WORK/node$n" \
        --listen "127.0.0.1:$port" --no-build-worker > "$WORK/node$n.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 300); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/health/instance" && return 0
        sleep 0.1
    done
    echo "node $n did not start" >&2
    return 1
}
start 1 "$PORT1"
start 2 "$PORT2"

# The first user, a token, and a one-layer image pushed through node 1.
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d '{"username": "bench", "password": "bench-password", "email": "bench@example.com"}' \
    "http://127.0.0.1:$PORT1/api/v1/user/initialize"
TOKEN=$(curl -sf -u bench:bench-password \
    "http://127.0.0.1:$PORT1/v2/auth?service=127.0.0.1:$PORT1&scope=repository:bench/app:pull,push" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
MEDIA=application/vnd.oci.image.manifest.v1+json
upload() {
    local file=$1 digest
    digest="sha256:$(sha256sum "$file" | cut -d' ' -f1)"
    curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/octet-stream' --data-binary "@$file" \
        "http://127.0.0.1:$PORT1/v2/bench/app/blobs/uploads/?digest=$digest"
    echo "$digest"
}
printf '{"architecture": "amd64", "os": "linux"}' > "$WORK/config.json"
head -c 65536 /dev/urandom > "$WORK/layer.bin"
CONFIG_DIGEST=$(upload "$WORK/config.json")
LAYER_DIGEST=$(upload "$WORK/layer.bin")
printf '{"schemaVersion": 2, "mediaType": "%s", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "%s", "size": %d}, "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "%s", "size": 65536}]}' \
    "$MEDIA" "$CONFIG_DIGEST" "$(stat -c %s "$WORK/config.json")" "$LAYER_DIGEST" > "$WORK/manifest.json"
curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $TOKEN" -H "Content-Type: $MEDIA" \
    --data-binary "@$WORK/manifest.json" "http://127.0.0.1:$PORT1/v2/bench/app/manifests/v1"
# Node 2 serves what node 1 stored, with node 1's token.
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" \
    "http://127.0.0.1:$PORT2/v2/bench/app/manifests/v1"

pull() {
    local port=$1
    timeout $((SECONDS_PER_RUN + 30)) wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" \
        -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" \
        "http://127.0.0.1:$port/v2/bench/app/manifests/v1"
}
summary() {
    local out=$1 rate latency errors
    rate=$(grep 'Requests/sec' <<<"$out" | tr -s ' ' | cut -d' ' -f2)
    latency=$(grep 'Latency' <<<"$out" | tr -s ' ' | cut -d' ' -f3)
    errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | paste -sd' ' || true)
    echo "$rate req/s, ${latency} avg${errors:+, $errors}"
}
peak_rss() { awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$1/status"; }

echo "== manifest GET, node 1 alone (${SECONDS_PER_RUN} s, $CONNECTIONS connections)"
one=$(pull "$PORT1")
echo "node 1 alone: $(summary "$one")"

echo "== manifest GET, nodes 1 and 2 at once ($CONNECTIONS connections each)"
pull "$PORT1" > "$WORK/wrk1.out" &
first=$!
second_out=$(pull "$PORT2")
wait "$first"
first_out=$(cat "$WORK/wrk1.out")
r1=$(grep 'Requests/sec' <<<"$first_out" | tr -s ' ' | cut -d' ' -f2)
r2=$(grep 'Requests/sec' <<<"$second_out" | tr -s ' ' | cut -d' ' -f2)
echo "node 1: $(summary "$first_out")"
echo "node 2: $(summary "$second_out")"
python3 -c "import sys; a, b, one = map(float, sys.argv[1:]); print(f'both nodes: {a + b:.0f} req/s together, {(a + b) / one:.2f}x node 1 alone')" \
    "$r1" "$r2" "$(grep 'Requests/sec' <<<"$one" | tr -s ' ' | cut -d' ' -f2)"
echo "peak RSS: node 1 $(peak_rss "${PIDS[0]}"), node 2 $(peak_rss "${PIDS[1]}"); $(nproc) cores"
