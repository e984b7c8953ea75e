#!/usr/bin/env bash
# Registry benchmark on loopback: pushes a random blob (1 GiB by default) in chunked PATCH
# requests plus the final PUT, downloads it again, reports both throughputs and the peak RSS of
# the berth process (VmHWM), then runs wrk against a manifest GET for requests per second.
#
#   bench/registry.sh                      # 1 GiB blob, 256 MiB chunks, 10 s of wrk
#   BENCH_SIZE_MIB=64 BENCH_WRK_SECONDS=3 bench/registry.sh
#
# Only 127.0.0.1 is contacted. Everything lives in a temporary folder removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-18199}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
CHUNK_MIB=${BENCH_CHUNK_MIB:-256}
WRK_SECONDS=${BENCH_WRK_SECONDS:-10}
HOST=127.0.0.1:$PORT
REPO=bench/blobs
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
SERVER_PID=

cleanup() {
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "failed at line $LINENO; server log:" >&2; tail -20 "$WORK/server.log" >&2' ERR

need() { command -v "$1" >/dev/null || { echo "missing tool: $1 ($2)" >&2; exit 1; }; }
need curl "apt-get install curl"
need python3 "apt-get install python3"
if ! command -v wrk >/dev/null; then
    echo "installing wrk" >&2
    (apt-get install -y -qq wrk || (apt-get update -qq && apt-get install -y -qq wrk)) >/dev/null
fi

seconds() { date +%s.%N; }
rate() { python3 -c "import sys; b, t = float(sys.argv[1]), float(sys.argv[2]); print(f'{b / t / 2**20:.1f} MiB/s ({t:.2f} s)')" "$1" "$2"; }
json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
header() { grep -i "^$1:" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

echo "== building release berth"
(cd "$ROOT" && cargo build --release --quiet)

cat > "$WORK/config.yaml" <<EOF
SERVER_HOSTNAME: $HOST
FEATURE_USER_INITIALIZE: true
FEATURE_MAILING: false
SUPER_USERS: [bench]
EOF
"$ROOT/target/release/berth" serve --data-dir "$WORK/data" --listen "$HOST" --config "$WORK/config.yaml" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://$HOST/health/instance" && break
    sleep 0.1
done
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d '{"username":"bench","password":"benchpassword","email":"bench@example.com"}' \
    "http://$HOST/api/v1/user/initialize"
TOKEN=$(curl -sf -u bench:benchpassword "http://$HOST/v2/auth?service=$HOST&scope=repository:$REPO:pull,push" | json_field token)
AUTH="Authorization: Bearer $TOKEN"

echo "== generating ${SIZE_MIB} MiB of random data"
BLOB=$WORK/blob
head -c "$((SIZE_MIB << 20))" /dev/urandom >"$BLOB"
SIZE=$(stat -c %s "$BLOB")
DIGEST=sha256:$(sha256sum "$BLOB" | cut -d' ' -f1)

echo "== push: POST, PATCH in ${CHUNK_MIB} MiB chunks, PUT ?digest="
START=$(seconds)
LOCATION=$(curl -sf -D - -o /dev/null -X POST -H "$AUTH" "http://$HOST/v2/$REPO/blobs/uploads/" | header location)
CHUNK=$((CHUNK_MIB << 20))
for ((offset = 0; offset < SIZE; offset += CHUNK)); do
    last=$((offset + CHUNK < SIZE ? offset + CHUNK - 1 : SIZE - 1))
    # -T - streams stdin with chunked encoding: neither curl nor berth holds the chunk.
    dd if="$BLOB" iflag=skip_bytes,count_bytes skip="$offset" count="$((last - offset + 1))" bs=1M status=none |
        curl -sf -o /dev/null -X PATCH -T - -H "$AUTH" -H "Content-Range: $offset-$last" \
            -H 'Content-Type: application/octet-stream' "$LOCATION"
done
curl -sf -o /dev/null -X PUT -H "$AUTH" "$LOCATION?digest=$DIGEST"
PUSH_SECONDS=$(python3 -c "print($(seconds) - $START)")

echo "== pull"
START=$(seconds)
PULLED=$(curl -sf -H "$AUTH" "http://$HOST/v2/$REPO/blobs/$DIGEST" | sha256sum | cut -d' ' -f1)
PULL_SECONDS=$(python3 -c "print($(seconds) - $START)")
[[ sha256:$PULLED == "$DIGEST" ]] || { echo "pulled blob differs: sha256:$PULLED != $DIGEST" >&2; exit 1; }
PEAK_RSS=$(grep VmHWM "/proc/$SERVER_PID/status" | tr -s ' ' | cut -d' ' -f2-)

echo "== manifest for wrk"
CONFIG='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
CONFIG_DIGEST=sha256:$(printf '%s' "$CONFIG" | sha256sum | cut -d' ' -f1)
curl -sf -o /dev/null -X POST -H "$AUTH" --data-binary "$CONFIG" \
    "http://$HOST/v2/$REPO/blobs/uploads/?digest=$CONFIG_DIGEST"
MEDIA=application/vnd.oci.image.manifest.v1+json
MANIFEST=$(printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$MEDIA" "$CONFIG_DIGEST" "${#CONFIG}" "$DIGEST" "$SIZE")
curl -sf -o /dev/null -X PUT -H "$AUTH" -H "Content-Type: $MEDIA" --data-binary "$MANIFEST" \
    "http://$HOST/v2/$REPO/manifests/latest"
WRK_OUT=$(wrk -t2 -c16 -d"${WRK_SECONDS}s" -H "$AUTH" -H "Accept: $MEDIA" "http://$HOST/v2/$REPO/manifests/latest")

echo
echo "blob size:        $SIZE bytes"
echo "push throughput:  $(rate "$SIZE" "$PUSH_SECONDS")"
echo "pull throughput:  $(rate "$SIZE" "$PULL_SECONDS")"
echo "berth peak RSS:   $PEAK_RSS (VmHWM after push and pull)"
echo "manifest GET:     $(grep 'Requests/sec' <<<"$WRK_OUT" | tr -s ' ' | cut -d' ' -f2) requests/s" \
    "(wrk -t2 -c16 -d${WRK_SECONDS}s; latency $(grep 'Latency' <<<"$WRK_OUT" | tr -s ' ' | cut -d' ' -f3) avg)"
