#!/usr/bin/env bash
# Registry benchmark on loopback, Berth and CNCF distribution side by side in one run. For each
# registry: pushes a random blob (1 GiB by default) in chunked PATCH requests plus the final
# PUT, downloads it again, reports both throughputs and the server's peak RSS (VmHWM), then runs
# wrk against a manifest GET and ab against a manifest HEAD for requests per second.
#
#   bench/registry.sh                      # 1 GiB blob, 256 MiB chunks, 10 s of wrk
#   BENCH_SIZE_MIB=64 BENCH_WRK_SECONDS=3 bench/registry.sh
#
# Berth runs with its defaults (SQLite, LocalStorage) behind bearer tokens; distribution (the
# Debian package docker-registry) with its filesystem driver and no authentication. Only
# 127.0.0.1 is contacted; every step has a time limit. Everything lives in a temporary folder
# removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-18199}
DIST_PORT=${BENCH_DIST_PORT:-18198}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
CHUNK_MIB=${BENCH_CHUNK_MIB:-256}
WRK_SECONDS=${BENCH_WRK_SECONDS:-10}
REPO=bench/blobs
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "failed at line $LINENO; server logs:" >&2; tail -20 "$WORK"/*.log >&2' ERR

need() { command -v "$1" >/dev/null || { echo "missing tool: $1 ($2)" >&2; exit 1; }; }
install() {
    echo "installing $*" >&2
    (apt-get install -y -qq "$@" || (apt-get update -qq && apt-get install -y -qq "$@")) >/dev/null
}
need curl "apt-get install curl"
need python3 "apt-get install python3"
command -v wrk >/dev/null || install wrk
command -v ab >/dev/null || install apache2-utils
command -v docker-registry >/dev/null || install docker-registry

seconds() { date +%s.%N; }
rate() { python3 -c "import sys; b, t = float(sys.argv[1]), float(sys.argv[2]); print(f'{b / t / 2**20:.1f} MiB/s ({t:.2f} s)')" "$1" "$2"; }
json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
header() { grep -i "^$1:" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
# curl with a time limit: no step may hang the benchmark.
fetch() { curl --max-time 600 "$@"; }

wait_up() {
    for _ in $(seq 300); do
        fetch -s -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "server at $1 did not start" >&2
    return 1
}

echo "== building release berth"
(cd "$ROOT" && cargo build --release --quiet)

echo "== generating ${SIZE_MIB} MiB of random data"
BLOB=$WORK/blob
head -c "$((SIZE_MIB << 20))" /dev/urandom >"$BLOB"
SIZE=$(stat -c %s "$BLOB")
DIGEST=sha256:$(sha256sum "$BLOB" | cut -d' ' -f1)

# bench NAME HOST PID [curl auth args...]: push, pull, manifest GET; prints one result block.
bench() {
    local name=$1 host=$2 pid=$3
    shift 3
    local auth=("$@") location start push_s pull_s pulled offset last chunk wrk_out ab_out get_rate head_rate wrk_auth=()
    [[ ${#auth[@]} -gt 0 ]] && wrk_auth=("${auth[@]}")
    absolute() { if [[ $1 == /* ]]; then echo "http://$host$1"; else echo "$1"; fi; }
    with_digest() { if [[ $1 == *\?* ]]; then echo "$1&digest=$DIGEST"; else echo "$1?digest=$DIGEST"; fi; }

    echo "== $name: push (POST, PATCH in ${CHUNK_MIB} MiB chunks, PUT ?digest=)"
    start=$(seconds)
    location=$(absolute "$(fetch -sf -D - -o /dev/null -X POST "${auth[@]}" "http://$host/v2/$REPO/blobs/uploads/" | header location)")
    chunk=$((CHUNK_MIB << 20))
    for ((offset = 0; offset < SIZE; offset += chunk)); do
        last=$((offset + chunk < SIZE ? offset + chunk - 1 : SIZE - 1))
        # -T - streams stdin with chunked encoding: neither curl nor the server holds the chunk.
        location=$(absolute "$(dd if="$BLOB" iflag=skip_bytes,count_bytes skip="$offset" count="$((last - offset + 1))" bs=1M status=none |
            fetch -sf -D - -o /dev/null -X PATCH -T - "${auth[@]}" -H "Content-Range: $offset-$last" \
                -H 'Content-Type: application/octet-stream' "$location" | header location)")
    done
    fetch -sf -o /dev/null -X PUT "${auth[@]}" "$(with_digest "$location")"
    push_s=$(python3 -c "print($(seconds) - $start)")

    echo "== $name: pull"
    # Timed into /dev/null, so that the client's hashing does not share the two cores with the
    # server, best of three; checked by a further, untimed pull.
    pull_s=
    for _ in 1 2 3; do
        start=$(seconds)
        fetch -sfL -o /dev/null "${auth[@]}" "http://$host/v2/$REPO/blobs/$DIGEST"
        pull_s=$(python3 -c "t = $(seconds) - $start; print(min(t, float('${pull_s:-inf}')))")
    done
    pulled=$(fetch -sfL "${auth[@]}" "http://$host/v2/$REPO/blobs/$DIGEST" | sha256sum | cut -d' ' -f1)
    [[ sha256:$pulled == "$DIGEST" ]] || { echo "pulled blob differs: sha256:$pulled != $DIGEST" >&2; exit 1; }
    local peak_rss
    peak_rss=$(grep VmHWM "/proc/$pid/status" | tr -s ' ' | cut -d' ' -f2-)

    echo "== $name: manifest for wrk"
    local config='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    local config_digest media manifest
    config_digest=sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
    # POST then PUT with the body: distribution 2.8 ignores a monolithic POST ?digest=.
    location=$(absolute "$(fetch -sf -D - -o /dev/null -X POST "${auth[@]}" "http://$host/v2/$REPO/blobs/uploads/" | header location)")
    if [[ $location == *\?* ]]; then location+="&digest=$config_digest"; else location+="?digest=$config_digest"; fi
    fetch -sf -o /dev/null -X PUT "${auth[@]}" -H 'Content-Type: application/octet-stream' --data-binary "$config" "$location"
    media=application/vnd.oci.image.manifest.v1+json
    manifest=$(printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
        "$media" "$config_digest" "${#config}" "$DIGEST" "$SIZE")
    fetch -sf -o /dev/null -X PUT "${auth[@]}" -H "Content-Type: $media" --data-binary "$manifest" \
        "http://$host/v2/$REPO/manifests/latest"
    wrk_out=$(timeout $((WRK_SECONDS + 30)) wrk -t2 -c16 -d"${WRK_SECONDS}s" "${wrk_auth[@]}" -H "Accept: $media" \
        "http://$host/v2/$REPO/manifests/latest")
    grep -q 'Non-2xx' <<<"$wrk_out" && { echo "$name answered GET with errors: $wrk_out" >&2; exit 1; }
    get_rate="$(grep 'Requests/sec' <<<"$wrk_out" | tr -s ' ' | cut -d' ' -f2) req/s ($(grep 'Latency' <<<"$wrk_out" | tr -s ' ' | cut -d' ' -f3) avg)"
    # wrk waits for a body after HEAD; ab -i sends HEAD and reads the headers only.
    ab_out=$(timeout $((WRK_SECONDS + 30)) ab -q -i -k -c16 -t"$WRK_SECONDS" -n 100000000 "${wrk_auth[@]}" \
        -H "Accept: $media" "http://$host/v2/$REPO/manifests/latest")
    grep -q 'Non-2xx' <<<"$ab_out" && { echo "$name answered HEAD with errors: $ab_out" >&2; exit 1; }
    head_rate="$(grep 'Requests per second' <<<"$ab_out" | tr -s ' ' | cut -d' ' -f4) req/s ($(grep 'Time per request' <<<"$ab_out" | head -1 | tr -s ' ' | cut -d' ' -f4) ms avg)"

    RESULTS+=$(printf '\n%-13s push %-24s pull %-24s peak RSS %-10s manifest GET %s  HEAD %s' \
        "$name" "$(rate "$SIZE" "$push_s")" "$(rate "$SIZE" "$pull_s")" "$peak_rss" "$get_rate" "$head_rate")
}

RESULTS=""

# --- Berth -------------------------------------------------------------------------------
HOST=127.0.0.1:$PORT
cat > "$WORK/config.yaml" <<YAML
SERVER_HOSTNAME: $HOST
FEATURE_USER_INITIALIZE: true
FEATURE_MAILING: false
SUPER_USERS: [bench]
YAML
"$ROOT/target/release/berth" serve --data-dir "$WORK/berth" --listen "$HOST" --config "$WORK/config.yaml" \
    >"$WORK/berth.log" 2>&1 &
PIDS+=($!)
BERTH_PID=$!
wait_up "http://$HOST/health/instance"
fetch -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d '{"username":"bench","password":"benchpassword","email":"bench@example.com"}' \
    "http://$HOST/api/v1/user/initialize"
TOKEN=$(fetch -sf -u bench:benchpassword "http://$HOST/v2/auth?service=$HOST&scope=repository:$REPO:pull,push" | json_field token)
bench berth "$HOST" "$BERTH_PID" -H "Authorization: Bearer $TOKEN"
kill "$BERTH_PID"; wait "$BERTH_PID" 2>/dev/null || true

# --- CNCF distribution ---------------------------------------------------------------------
DIST_HOST=127.0.0.1:$DIST_PORT
cat > "$WORK/distribution.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/distribution
  delete:
    enabled: true
http:
  addr: $DIST_HOST
YAML
docker-registry serve "$WORK/distribution.yml" >"$WORK/distribution.log" 2>&1 &
PIDS+=($!)
DIST_PID=$!
wait_up "http://$DIST_HOST/v2/"
bench distribution "$DIST_HOST" "$DIST_PID"

echo
echo "blob size: $SIZE bytes; chunks of ${CHUNK_MIB} MiB; wrk -t2 -c16 -d${WRK_SECONDS}s"
echo "$RESULTS"
