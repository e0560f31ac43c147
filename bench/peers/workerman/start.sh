#!/usr/bin/env bash
# start.sh WS_PORT TEXT_PORT PIDFILE
#
# Starts the seed's Workerman server (push.php beside this script) as a daemon (`php push.php start
# -d`, as the article does) with the `event` extension that setup.sh built in $BENCH_PEERS_DIR (default
# <repo>/../peers), WebSocket on 0.0.0.0:WS_PORT and the Text port on 127.0.0.1:TEXT_PORT. Waits (at
# most START_TIMEOUT seconds, default 20) until both ports listen in the worker process, checks that
# the worker runs Workerman's libevent loop (not select()), writes the worker's pid to PIDFILE (the
# process that holds the connections; Workerman's master only watches it), prints one line saying what
# runs, and exits 0. Exits 1 with a message on standard error if the peer is not set up, a port is
# taken, or the server does not come up.
#
# Beside PIDFILE: PIDFILE.master (Workerman's own pid file: the master's pid) and PIDFILE.log
# (Workerman's log and the daemon's output). stop.sh PIDFILE stops both processes.
set -euo pipefail

die() {
    echo "workerman start.sh: $*" >&2
    exit 1
}

[ $# -eq 3 ] || die "usage: start.sh WS_PORT TEXT_PORT PIDFILE"
ws_port=$1 text_port=$2 pidfile=$3
for p in "$ws_port" "$text_port"; do
    [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "not a port number: '$p'"
done
[ "$ws_port" != "$text_port" ] || die "the WebSocket and Text ports must differ"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
peers=${BENCH_PEERS_DIR:-$(dirname "$repo")/peers}
workerman=$peers/workerman
event_so=$peers/php-event/event.so
setup_hint="set it up with $here/setup.sh (see $here/README.md), or point BENCH_PEERS_DIR at where it is"

command -v php >/dev/null || die "no php on the PATH; $setup_hint"
[ -f "$workerman/Autoloader.php" ] || die "Workerman is not set up: no $workerman/Autoloader.php; $setup_hint"
php_flags=()
if ! php -r 'exit(extension_loaded("event") ? 0 : 1);' 2>/dev/null; then # not in php.ini already
    [ -f "$event_so" ] || die "the event extension is not set up: no $event_so; $setup_hint"
    php_flags=(-d "extension=$event_so")
    php "${php_flags[@]}" -r 'exit(extension_loaded("event") ? 0 : 1);' >/dev/null 2>&1 ||
        die "php $(php -r 'echo PHP_VERSION;') cannot load $event_so (built for another PHP?); run $here/setup.sh again"
fi

mkdir -p "$(dirname "$pidfile")"
pidfile=$(cd "$(dirname "$pidfile")" && pwd)/$(basename "$pidfile")
master_file=$pidfile.master
log=$pidfile.log

# is_workerman PID KIND: PID is alive and is Workerman's "master" or "worker" process.
is_workerman() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "^WorkerMan: $2 process"; }
for f in "$pidfile" "$master_file"; do
    if [ -f "$f" ]; then
        pid=$(cat "$f" 2>/dev/null || true)
        if [[ $pid =~ ^[0-9]+$ ]] && { is_workerman "$pid" master || is_workerman "$pid" worker; }; then
            die "already running (pid $pid in $f); stop it first: $here/stop.sh $pidfile"
        fi
    fi
done
rm -f "$pidfile" "$master_file"

# listen_inodes PORT: socket inodes listening on TCP PORT (IPv4 or IPv6, any address).
listen_inodes() {
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v port="$hex" '$4 == "0A" { split($2, a, ":"); if (a[length(a)] == port) print $10 }'
}
for p in "$ws_port" "$text_port"; do
    [ -z "$(listen_inodes "$p")" ] || die "port $p is already in use"
done

: >"$log"
(
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # one descriptor per connection: soft limit to the hard one
    cd "$here"
    export PUSH_WS_PORT=$ws_port PUSH_TEXT_PORT=$text_port WORKERMAN_DIR=$workerman \
        WORKERMAN_PID_FILE=$master_file WORKERMAN_LOG_FILE=$log
    exec php "${php_flags[@]}" push.php start -d
) </dev/null >>"$log" 2>&1 || die "php push.php start -d failed: $(tail -n 5 "$log")"

# daemon_alive: a process of this daemon lives. Until Workerman writes its pid file, they are known by
# their standard output, which is the log (the shell's redirection, then Workerman's stdoutFile).
daemon_alive() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/fd/1" 2>/dev/null)" = "$log" ] && return 0
    done
    return 1
}

# Wait for the worker's ready line and for both listeners to be among the worker's descriptors.
timeout=${START_TIMEOUT:-20}
deadline=$((SECONDS + timeout))
worker='' ready=''
while :; do
    master=$(cat "$master_file" 2>/dev/null || true)
    if [ -z "$ready" ]; then
        ready=$(grep -m 1 'bench-peer ready: ' "$log" || true)
        worker=$(sed -n 's/.*bench-peer ready: worker pid \([0-9]*\),.*/\1/p' <<<"$ready")
    fi
    if [ -n "$worker" ] && is_workerman "$worker" worker; then
        fds=$(ls -l "/proc/$worker/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p')
        ok=1
        for p in "$ws_port" "$text_port"; do
            inodes=$(listen_inodes "$p")
            [ -n "$inodes" ] && grep -qxF -f <(echo "$inodes") <<<"$fds" || ok=0
        done
        [ "$ok" = 1 ] && break
    fi
    if [ -z "$worker" ] && ! daemon_alive; then
        why=''
        grep -q 'Address already in use' "$log" &&
            why=" (a port is taken; note that ports $(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)-$(cut -f2 /proc/sys/net/ipv4/ip_local_port_range) are also handed out to outgoing connections)"
        die "Workerman exited before listening$why; its log ($log) ends with:"$'\n'"$(tail -n 15 "$log")"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        [ -z "$worker" ] || echo "$worker" >"$pidfile"
        "$here/stop.sh" "$pidfile" >/dev/null 2>&1 || true
        die "ports $ws_port and $text_port not listening after ${timeout}s; its log ($log) ends with:"$'\n'"$(tail -n 15 "$log")"
    fi
    sleep 0.1
done
echo "$worker" >"$pidfile.tmp"
mv "$pidfile.tmp" "$pidfile"

# The loop must be Workerman's libevent one, on epoll: select() stops at 1024 descriptors.
case $ready in
*'event loop Workerman\Events\Event ('*', epoll)'*) ;;
*)
    "$here/stop.sh" "$pidfile" >/dev/null 2>&1 || true
    die "Workerman is not on the event extension's epoll loop: ${ready#*bench-peer ready: }"
    ;;
esac
master=$(cat "$master_file")
line=${ready#*bench-peer ready: worker pid $worker, }
echo "workerman peer: $line; worker pid $worker (master $master), log $log"
