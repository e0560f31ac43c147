#!/usr/bin/env bash
# Reproduces the figures of the README's Performance section in one command, in about 7 minutes (each
# step is bounded; the whole is cut off after BENCH_TIMEOUT seconds, 15 minutes by default):
#
#   1. at 10,000 connections with 100-byte payloads: idle, fanout (1, 5, 10, 20 broadcasts/s),
#      targeted (4 pipelining backends, a rate ladder) and churn (500 connects and closes a second
#      while 5,000 pushes a second flow), each against a freshly started Herald;
#   2. the scaling table: idle, fanout at 10 broadcasts/s and targeted at 20,000 pushes/s with 1,000,
#      5,000, 10,000 and 19,000 connections (the machine allows 20,000 open files per process);
#   3. the kernel floor, if a C compiler (cc) is installed: bench/floor.c does nothing but write() to
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
deadline=$(($(date +%s) + ${BENCH_TIMEOUT:-900}))

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

bench() {
    local out=$1
    shift
    local left=$((deadline - $(date +%s)))
    if [ "$left" -le 0 ]; then
        say "time is up (BENCH_TIMEOUT): skipping $1"
        return 0
    fi
    timeout --foreground "$left" bin/herald-bench "$@" \
        --ws "ws://127.0.0.1:$ws_port/" --text "127.0.0.1:$text_port" \
        --server-metrics "http://127.0.0.1:$http_port/metrics" --label herald --out "$out" >/dev/null ||
        say "herald-bench $1 failed or timed out (exit $?); going on"
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
if [ -s "$floor" ]; then
    echo "## Kernel floor"
    echo
    bin/herald-bench report "$floor"
fi
