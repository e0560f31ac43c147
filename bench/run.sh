#!/usr/bin/env bash
# Reproduces the figures of the README's Performance section in one command, in about 15 minutes (each
# step is bounded; the whole is cut off after BENCH_TIMEOUT seconds, 40 minutes by default):
#
#   1. at 10,000 connections with 100-byte payloads: idle, fanout (1, 5, 10, 20 broadcasts/s),
#      targeted (4 pipelining backends, a rate ladder) and churn (500 connects and closes a second
#      while 5,000 pushes a second flow), each against a freshly started Herald;
#   2. the scaling table: idle, fanout at 10 broadcasts/s and targeted at 20,000 pushes/s with 1,000,
#      5,000, 10,000 and 19,000 connections (the machine allows 20,000 open files per process);
#   3. side by side with Node's ws (bench/peers/node-ws, the seed's server in JavaScript), if node and
#      npm are installed: idle, fan-out by per-uid pushes, targeted; and Herald's per-uid fan-out;
#   4. the kernel floor, if a C compiler (cc) is installed: bench/floor.c does nothing but write() to
#      10,000 loopback connections in the shapes of fanout and targeted, so the cost of the system calls
#      alone on this machine stands beside Herald's.
#
# Herald runs as a daemon (bin/herald start -d) on its own ports, with HERALD_JAVA_OPTS (default below:
# the flags the README recommends). Results: JSON lines in bench/results/<time>.jsonl and
# <time>-scaling.jsonl; markdown tables on standard output; progress on standard error.
#
# Environment: HERALD_JAVA_OPTS (Herald's JVM flags), HERALD_BENCH_JAVA_OPTS (the tool's),
# BENCH_SCALE (connection counts of the scaling table), BENCH_BUILD=0 (use the jars as they are),
# BENCH_WS_PORT / BENCH_TEXT_PORT / BENCH_HTTP_PORT (default 21234 / 25678 / 25679).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
home=$(pwd)

export HERALD_JAVA_OPTS=${HERALD_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch}
ws_port=${BENCH_WS_PORT:-21234}
text_port=${BENCH_TEXT_PORT:-25678}
http_port=${BENCH_HTTP_PORT:-25679}
scale=${BENCH_SCALE:-1000 5000 10000 19000}
deadline=$(($(date +%s) + ${BENCH_TIMEOUT:-2400}))

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results run
results="bench/results/$stamp.jsonl"
scaling="bench/results/$stamp-scaling.jsonl"
herald_flags=(--websocket.port="$ws_port" --text.port="$text_port" --http.port="$http_port"
    --server.pid-file=run/bench-herald.pid --log.file=run/bench-herald.log)

say() { echo "[bench/run.sh] $*" >&2; }

if [ "${BENCH_BUILD:-1}" != 0 ]; then
    say "building herald.jar and herald-bench.jar"
    ./mvnw -q -B -DskipTests package -pl herald-server,herald-bench -am >&2
fi

stop_herald() {
    if [ -f run/bench-herald.pid ]; then
        bin/herald stop "${herald_flags[@]}" >&2 || true
    fi
}
trap stop_herald EXIT

start_herald() {
    stop_herald
    say "starting Herald with HERALD_JAVA_OPTS='$HERALD_JAVA_OPTS'"
    bin/herald start -d "${herald_flags[@]}" >&2
}

# bench_any OUT SCENARIO ARGS...: runs herald-bench, bounded by what is left of BENCH_TIMEOUT.
bench_any() {
    local out=$1
    shift
    local left=$((deadline - $(date +%s)))
    if [ "$left" -le 0 ]; then
        say "time is up (BENCH_TIMEOUT): skipping $1"
        return 0
    fi
    timeout --foreground "$left" bin/herald-bench "$@" --out "$out" >/dev/null ||
        say "herald-bench $1 failed or timed out (exit $?); going on"
}

bench() {
    local out=$1 scenario=$2
    shift 2
    bench_any "$out" "$scenario" "$@" --ws "ws://127.0.0.1:$ws_port/" --text "127.0.0.1:$text_port" \
        --server-metrics "http://127.0.0.1:$http_port/metrics" --label herald
}

say "results: $results, $scaling"
for step in idle fanout targeted churn; do
    start_herald
    case $step in
    idle) bench "$results" idle -n 10000 --size 100 ;;
    fanout) bench "$results" fanout -n 10000 --size 100 --rates 1,5,10,20 --step 10s ;;
    targeted) bench "$results" targeted -n 10000 -k 4 --size 100 --step 5s ;;
    churn) bench "$results" churn -n 10000 --churn-rate 500 --push-rate 5000 -k 4 --size 100 --duration 15s ;;
    esac
done
for n in $scale; do
    start_herald
    bench "$scaling" idle -n "$n" --size 100
    bench "$scaling" fanout -n "$n" --size 100 --rates 10 --step 10s
    bench "$scaling" targeted -n "$n" -k 4 --size 100 --rates 20000 --step 5s
done
stop_herald

# Peers that speak the seed protocol and install from a registry this machine reaches: Node's ws
# (bench/peers/node-ws, the seed's server in 70 lines of JavaScript). Without node and npm: skipped.
# The seed has no broadcast command, so fan-out here is one push line per subscriber, for Herald too.
peers="bench/results/$stamp-peers.jsonl"
if command -v node >/dev/null && command -v npm >/dev/null &&
    npm ci --prefix bench/peers/node-ws --no-audit --no-fund >&2; then
    start_herald
    bench_any "$peers" fanout -n 10000 --size 100 --rates 1,2,4 --step 8s --broadcast per-uid \
        --ws "ws://127.0.0.1:$ws_port/" --text "127.0.0.1:$text_port" \
        --server-metrics "http://127.0.0.1:$http_port/metrics" --label herald-per-uid
    stop_herald
    for step in idle fanout targeted; do
        (
            ulimit -n "$(ulimit -Hn)"
            exec node bench/peers/node-ws/server.js --ws-port "$ws_port" --text-port "$text_port"
        ) >run/bench-node-ws.log 2>&1 &
        node_pid=$!
        sleep 1
        peer=(--server seed --server-pid "$node_pid" --label node-ws
            --ws "ws://127.0.0.1:$ws_port/" --text "127.0.0.1:$text_port")
        case $step in
        idle) bench_any "$peers" idle -n 10000 --size 100 "${peer[@]}" ;;
        fanout) bench_any "$peers" fanout -n 10000 --size 100 --rates 1,2,4 --step 8s "${peer[@]}" ;;
        targeted) bench_any "$peers" targeted -n 10000 -k 4 --size 100 --step 5s "${peer[@]}" ;;
        esac
        kill "$node_pid" 2>/dev/null || true
        wait "$node_pid" 2>/dev/null || true
    done
else
    say "no node/npm (or npm ci failed): skipping the node-ws peer"
fi

floor="bench/results/$stamp-floor.jsonl"
if command -v cc >/dev/null; then
    say "kernel floor: bench/floor.c"
    cc -O2 -o run/floor bench/floor.c
    (
        ulimit -n "$(ulimit -Hn)" # each of its two processes holds 10,000 sockets
        for rate in 1 5 10; do
            timeout 60 run/floor fanout 10000 "$rate" 10 >>"$floor" || say "floor fanout $rate failed"
        done
        for rate in 20000 40000 80000; do
            timeout 60 run/floor targeted 10000 "$rate" 10 >>"$floor" || say "floor targeted $rate failed"
        done
    )
else
    say "no C compiler (cc): skipping the kernel floor"
fi

echo "## herald-bench results ($stamp)"
echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r); \
$(java -version 2>&1 | head -1); HERALD_JAVA_OPTS='$HERALD_JAVA_OPTS'. Load generator on the same machine."
echo
echo "## 10,000 connections, 100-byte payloads"
echo
bin/herald-bench report "$results"
echo "## Scaling ($scale connections)"
echo
bin/herald-bench report "$scaling"
if [ -s "$peers" ]; then
    echo "## Side by side with Node's ws (herald-per-uid and node-ws: fan-out by one push per subscriber)"
    echo
    bin/herald-bench report "$results" "$peers"
fi
if [ -s "$floor" ]; then
    echo "## Kernel floor"
    echo
    bin/herald-bench report "$floor"
fi
