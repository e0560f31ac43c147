#!/usr/bin/env bash
# The Performance figures in one command: Herald side by side with the seed-protocol peers (Node's ws,
# the seed's Workerman when bench/peers/workerman is set up) and the floor server (bench/floor-server.c,
# the tool's calibration), INTERLEAVED: in each of BENCH_ROUNDS rounds every server runs every scenario,
# freshly started before each, with the same warm-up, in an order that rotates from round to round.
# Takes about 16 minutes on a 2-core machine with Herald, node-ws and the floor server (3 rounds of about
# 5 minutes, plus the build; measured), about 21 with Workerman too, plus any wait for the load lock;
# every step is bounded, and the whole is cut off after BENCH_TIMEOUT seconds (45 minutes).
#
# Scenarios, at BENCH_CONNECTIONS (10,000) connections with 100-byte payloads:
#   idle      connect and bind, then the server's total RSS before (0 connections) and after;
#   memory    idle at BENCH_MEMORY (1,000 and 19,000) connections: total RSS at 0 / 1,000 / 10,000 / 19,000;
#   targeted  pushes to random uids at BENCH_TARGETED_RATES (2,000, 20,000, 80,000 per second), 4 backends;
#   fanout    BENCH_FANOUT_RATES (5, 10) broadcasts a second, by one push line per subscriber (the seed
#             protocol has no broadcast; Herald does the same);
#   broadcast Herald only: its broadcast command at BENCH_BROADCAST_RATES (5, 10, 20 per second: 200,000
#             deliveries a second; 100/s, a million, is past a 2-core machine and loses most of them);
#   resume    Herald (and the baseline) only, the peers do not speak herald.v1: a resume storm. The
#             connections say hello with herald.v1 and get one message each, all close, BENCH_RESUME_MISSED
#             (10) messages are pushed to each uid at BENCH_RESUME_RATE (50,000) a second, then all come back
#             at once with their positions: seconds until every client has its missed messages, lost,
#             duplicates, the welcome answers and the server's CPU in the storm (each phase within 60 s).
#             A baseline from before herald.v1 (issue 9) cannot answer it: leave resume out of
#             BENCH_SCENARIOS for such a baseline.
# Each line of every table is a median with min-max over the rounds; the floor column is what the tool
# measures against a server that does nothing but the protocol: the part of each figure that is the tool.
#
# Herald is started with bin/herald start -d on its own ports and gets the JVM flags bin/herald chooses;
# HERALD_JAVA_OPTS reaches it only if you set it. Load runs take /tmp/herald-load.lock (BENCH_LOCK; empty
# for none) one at a time, so two suites on one machine never overlap. Results: JSON lines in
# bench/results/<time>.jsonl (one per scenario run); markdown tables on standard output; progress on
# standard error.
#
# Environment (defaults in brackets):
#   BENCH_ROUNDS [3]  BENCH_CONNECTIONS [10000]  BENCH_MEMORY ["1000 19000"]
#   BENCH_TARGETED_RATES [2000,20000,80000]  BENCH_FANOUT_RATES [5,10]  BENCH_BROADCAST_RATES [5,10,20]
#   BENCH_TARGETED_STEP [5s]  BENCH_FANOUT_STEP [8s]  BENCH_WARMUP [3s]
#   BENCH_RESUME_MISSED [10]  BENCH_RESUME_RATE [50000]
#   BENCH_SERVERS ["herald node-ws workerman floor"]; also herald-history (history.uids=all) and
#     herald-durable (history.uids=all with a fresh data directory, store.fsync true), the same build;
#     herald-tls (wss://: websocket.tls.* with a self-signed EC P-256 certificate made by openssl, the
#     tool's clients with --tls)
#   BENCH_SCENARIOS ["idle memory targeted fanout broadcast resume"]
#   BENCH_TIMEOUT [2700 s]  BENCH_BUILD [1; 0 uses the jars as they are]  BENCH_LOCK [/tmp/herald-load.lock]
#   BENCH_WS_PORT / BENCH_TEXT_PORT / BENCH_HTTP_PORT [31234 / 35678 / 35679]
#   HERALD_JAVA_OPTS (Herald's JVM flags, only if set), HERALD_BENCH_JAVA_OPTS (the tool's)
#   BENCH_BASELINE [none]: another checkout of Herald (say a git worktree of the commit before a change,
#     built or not) measured as the server "baseline" beside the others, started with its own bin/herald:
#     the before and after of a change in one interleaved run
# A quick check of the script itself: BENCH_ROUNDS=1 BENCH_CONNECTIONS=1000 BENCH_MEMORY=2000
#   BENCH_TARGETED_STEP=2s BENCH_FANOUT_STEP=2s BENCH_WARMUP=1s bench/run.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

rounds=${BENCH_ROUNDS:-3}
n=${BENCH_CONNECTIONS:-10000}
memory=${BENCH_MEMORY:-1000 19000}
targeted_rates=${BENCH_TARGETED_RATES:-2000,20000,80000}
fanout_rates=${BENCH_FANOUT_RATES:-5,10}
broadcast_rates=${BENCH_BROADCAST_RATES:-5,10,20}
targeted_step=${BENCH_TARGETED_STEP:-5s}
fanout_step=${BENCH_FANOUT_STEP:-8s}
warmup=${BENCH_WARMUP:-3s}
resume_missed=${BENCH_RESUME_MISSED:-10}
resume_rate=${BENCH_RESUME_RATE:-50000}
servers=${BENCH_SERVERS:-herald node-ws workerman floor}
baseline=${BENCH_BASELINE:-}
if [ -n "$baseline" ]; then
    baseline=$(cd "$baseline" && pwd)
    case " $servers " in *" baseline "*) ;; *) servers="$servers baseline" ;; esac
fi
scenarios=${BENCH_SCENARIOS:-idle memory targeted fanout broadcast resume}
lock=${BENCH_LOCK-/tmp/herald-load.lock}
ws_port=${BENCH_WS_PORT:-31234}
text_port=${BENCH_TEXT_PORT:-35678}
http_port=${BENCH_HTTP_PORT:-35679}
started=$(date +%s)
deadline=$((started + ${BENCH_TIMEOUT:-2700}))
# no single scenario run may take longer than this (a stuck server or tool is stopped and the suite goes on)
max_run=${BENCH_MAX_RUN:-300}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results run
results="bench/results/$stamp.jsonl"
herald_flags=(--websocket.port="$ws_port" --text.port="$text_port" --http.port="$http_port"
    --server.pid-file=run/bench-herald.pid --log.file=run/bench-herald.log)
ws_url="ws://127.0.0.1:$ws_port/"
text_addr="127.0.0.1:$text_port"

say() { echo "[bench/run.sh $(date +%H:%M:%S)] $*" >&2; }
left() { echo $((deadline - $(date +%s))); }

if [ "${BENCH_BUILD:-1}" != 0 ]; then
    say "building herald.jar and herald-bench.jar"
    timeout "$(left)" ./mvnw -q -B -DskipTests package -pl herald-server,herald-bench -am >&2
fi

# ---- the servers: start_<name> starts one on the ports and sets server_pid (its pid, or empty for
# Herald, which the tool asks); stop_server stops whichever runs. A server that cannot start is skipped.

server_pid=""
running=""

# wait_port PORT SECONDS: until something accepts connections on 127.0.0.1:PORT
wait_port() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# ports_free: nothing listens on our ports any more (a stopped server's sockets are gone)
ports_free() {
    local i
    for ((i = 0; i < 100; i++)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$ws_port") 2>/dev/null &&
            ! (exec 3<>"/dev/tcp/127.0.0.1/$text_port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    say "warning: ports $ws_port/$text_port still answer after the server stopped"
}

kill_child() {
    local pid=$1 i
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

start_herald() {
    timeout 60 bin/herald start -d "${herald_flags[@]}" >&2 9>&- && wait_port "$text_port" 30
}
stop_herald() {
    [ -f run/bench-herald.pid ] && timeout 60 bin/herald stop "${herald_flags[@]}" >&2 || true
}

# Herald variants, same build: every uid's stream keeps history in memory; and the same with a data
# directory (a fresh one per start, on the disk of the checkout) and group commit with fsync.
start_herald-history() { timeout 60 bin/herald start -d "${herald_flags[@]}" --history.uids=all >&2 9>&- && wait_port "$text_port" 30; }
stop_herald-history() { stop_herald; }
start_herald-durable() {
    rm -rf run/bench-data
    timeout 60 bin/herald start -d "${herald_flags[@]}" --history.uids=all --store.path="$PWD/run/bench-data" >&2 9>&- &&
        wait_port "$text_port" 30
}
stop_herald-durable() { stop_herald; rm -rf run/bench-data; }
# TLS on the WebSocket listener, with a self-signed certificate made once per run.
start_herald-tls() {
    if [ -z "${tls_made:-}" ]; then
        rm -rf run/bench-tls && mkdir -p run/bench-tls
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
            -keyout run/bench-tls/key.pem -out run/bench-tls/cert.pem 2>/dev/null || return 1
        tls_made=1
    fi
    timeout 60 bin/herald start -d "${herald_flags[@]}" --websocket.tls.cert="$PWD/run/bench-tls/cert.pem" \
        --websocket.tls.key="$PWD/run/bench-tls/key.pem" >&2 9>&- && wait_port "$text_port" 30
}
stop_herald-tls() { stop_herald; }

baseline_flags=(--websocket.port="$ws_port" --text.port="$text_port" --http.port="$http_port"
    --server.pid-file="$PWD/run/bench-baseline.pid" --log.file="$PWD/run/bench-baseline.log")
start_baseline() {
    timeout 300 "$baseline/bin/herald" start -d "${baseline_flags[@]}" >&2 9>&- && wait_port "$text_port" 30
}
stop_baseline() {
    [ -f run/bench-baseline.pid ] && timeout 60 "$baseline/bin/herald" stop "${baseline_flags[@]}" >&2 || true
}

start_node-ws() {
    (
        ulimit -n "$(ulimit -Hn)"
        exec node bench/peers/node-ws/server.js --ws-port "$ws_port" --text-port "$text_port"
    ) >run/bench-node-ws.log 2>&1 9>&- &
    server_pid=$!
    wait_port "$text_port" 10
}
stop_node-ws() { kill_child "$server_pid"; }

start_workerman() {
    rm -f run/bench-workerman.pid
    timeout 60 bench/peers/workerman/start.sh "$ws_port" "$text_port" "$PWD/run/bench-workerman.pid" \
        >run/bench-workerman.log 2>&1 9>&- || return 1
    wait_port "$text_port" 10 || return 1
    server_pid=$(cat run/bench-workerman.pid 2>/dev/null || true)
    [ -n "$server_pid" ]
}
stop_workerman() {
    timeout 60 bench/peers/workerman/stop.sh "$PWD/run/bench-workerman.pid" >>run/bench-workerman.log 2>&1 || true
}

start_floor() {
    (
        ulimit -n "$(ulimit -Hn)"
        exec run/floor-server "$ws_port" "$text_port"
    ) >run/bench-floor.log 2>&1 9>&- &
    server_pid=$!
    wait_port "$text_port" 10
}
stop_floor() { kill_child "$server_pid"; }

broken=" "
start() {
    server_pid=""
    running=$1
    if "start_$1"; then
        return 0
    fi
    say "$1 did not start (see run/bench-$1.log): skipping it from now on"
    broken+="$1 "
    stop_server
    return 1
}
stop_server() {
    if [ -n "$running" ]; then
        "stop_$running"
        running=""
        ports_free
    fi
}
trap stop_server EXIT

# Which servers this machine can run.
available=()
for s in $servers; do
    case $s in
    herald | herald-history | herald-durable) available+=("$s") ;;
    herald-tls)
        if command -v openssl >/dev/null; then
            available+=(herald-tls)
        else
            say "no openssl to make a test certificate: skipping herald-tls"
        fi
        ;;
    baseline)
        if [ -n "$baseline" ] && [ -x "$baseline/bin/herald" ]; then
            available+=(baseline)
        else
            say "BENCH_BASELINE is not a Herald checkout: skipping the baseline"
        fi
        ;;
    node-ws)
        if command -v node >/dev/null && command -v npm >/dev/null &&
            timeout 300 npm ci --prefix bench/peers/node-ws --no-audit --no-fund >&2; then
            available+=(node-ws)
        else
            say "no node/npm (or npm ci failed): skipping node-ws"
        fi
        ;;
    workerman)
        if [ -x bench/peers/workerman/start.sh ] && [ -x bench/peers/workerman/stop.sh ]; then
            available+=(workerman)
        else
            say "bench/peers/workerman/start.sh is not there (the seed's Workerman is not set up): skipping it"
        fi
        ;;
    floor)
        if command -v cc >/dev/null && cc -O2 -o run/floor-server bench/floor-server.c; then
            available+=(floor)
        else
            say "no C compiler (cc): skipping the floor server, so the tables have no calibration column"
        fi
        ;;
    *) say "unknown server '$s' in BENCH_SERVERS: skipping it" ;;
    esac
done

# ---- one scenario run: bench LABEL SCENARIO ARGS... against the running server, bounded in time

bench() {
    local label=$1 scenario=$2 budget
    shift 2
    budget=$(left)
    [ "$budget" -gt "$max_run" ] && budget=$max_run
    local target=(--ws "$ws_url" --text "$text_addr" --label "$label")
    if [[ $label == herald* ]] || [ "$label" = baseline ]; then
        target+=(--server-metrics "http://127.0.0.1:$http_port/metrics")
        [ "$label" = herald-tls ] && target+=(--tls)
    else
        target+=(--server seed --server-pid "$server_pid")
    fi
    timeout --foreground -k 10 "$budget" bin/herald-bench "$scenario" "$@" "${target[@]}" --out "$results" \
        >/dev/null 9>&- || say "herald-bench $scenario ($label) failed or timed out (exit $?); going on"
}

# run_one SERVER SCENARIO: starts SERVER, runs SCENARIO against it, stops it, under the load lock
run_one() {
    local server=$1 scenario=$2
    case $scenario in broadcast | resume) case $server in herald*| baseline) ;; *) return 0 ;; esac ;; esac
    case $broken in *" $server "*) return 0 ;; esac
    if [ "$(left)" -le 0 ]; then
        say "time is up (BENCH_TIMEOUT): skipping $scenario on $server"
        return 0
    fi
    if [ -n "$lock" ] && command -v flock >/dev/null; then
        exec 9>"$lock"
        if ! flock -w "$(left)" 9; then
            say "could not take $lock in time: skipping $scenario on $server"
            return 0
        fi
    fi
    say "round $round: $scenario on $server"
    if start "$server"; then
        case $scenario in
        idle) bench "$server" idle -n "$n" --size 100 ;;
        memory:*) bench "$server" idle -n "${scenario#memory:}" --size 100 ;;
        targeted)
            bench "$server" targeted -n "$n" -k 4 --size 100 --rates "$targeted_rates" --step "$targeted_step" \
                --warmup "$warmup" --max-p99 60s --min-achieved 0
            ;;
        fanout)
            bench "$server" fanout -n "$n" --size 100 --rates "$fanout_rates" --step "$fanout_step" \
                --warmup "$warmup" --broadcast per-uid --backends 4
            ;;
        broadcast)
            bench "$server" fanout -n "$n" --size 100 --rates "$broadcast_rates" --step "$fanout_step" \
                --warmup "$warmup" --broadcast herald
            ;;
        resume)
            bench "$server" resume -n "$n" --size 100 --missed "$resume_missed" --push-rate "$resume_rate" \
                --timeout 60s
            ;;
        esac
        stop_server
    fi
    if [ -n "$lock" ] && command -v flock >/dev/null; then
        exec 9>&-
    fi
}

# memory is one idle run per size, each against a fresh server
runs=()
for scenario in $scenarios; do
    if [ "$scenario" = memory ]; then
        for m in $memory; do runs+=("memory:$m"); done
    else
        runs+=("$scenario")
    fi
done

say "servers: ${available[*]}; scenarios: ${runs[*]}; $rounds rounds; results: $results"
for ((round = 1; round <= rounds; round++)); do
    # rotate the order of the servers, so that none always runs first or last in a round
    order=("${available[@]:$(((round - 1) % ${#available[@]}))}" "${available[@]:0:$(((round - 1) % ${#available[@]}))}")
    for scenario in "${runs[@]}"; do
        for server in "${order[@]}"; do
            run_one "$server" "$scenario"
        done
    done
done
minutes=$((($(date +%s) - started + 30) / 60))
say "done in $minutes minutes"

echo "## herald-bench results ($stamp)"
echo
echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r); \
$(java -version 2>&1 | head -1); Herald's JVM flags: ${HERALD_JAVA_OPTS:-the defaults of bin/herald}. \
The load generator runs on the same machine. Rounds: $rounds, every server and scenario in each, \
interleaved ($minutes minutes); each cell is the median over the rounds with (min–max). The floor column is herald-bench \
against bench/floor-server.c: the tool's own share of every figure. \"Other processes' CPU\" is what the rest \
of the machine used during the step: a step with much of it measured a shared machine."
echo
bin/herald-bench report "$results"
