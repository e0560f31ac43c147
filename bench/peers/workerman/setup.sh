#!/usr/bin/env bash
# Sets up the Workerman peer (push.php beside this script) outside the repository, in $BENCH_PEERS_DIR
# (default: the directory `peers` beside the repository's checkout):
#
#   $BENCH_PEERS_DIR/workerman/          Workerman 4.x (a checkout; push.php loads its Autoloader.php)
#   $BENCH_PEERS_DIR/php-event/src/      pecl-event, the PHP `event` extension (libevent: epoll), built here
#   $BENCH_PEERS_DIR/php-event/event.so  the built extension, which start.sh loads with `php -d extension=`
#
# Installs the Debian packages it needs with apt-get when they are missing (as root, or with sudo):
# php-cli, php-dev, libevent-dev, libssl-dev, pkg-config, git, make, gcc. Idempotent: what is already
# set up from the same sources (and, for event.so, for the same PHP) is left as it is.
#
# Environment:
#   WORKERMAN_SRC    where to get Workerman: a git URL, a git repository (bare or not) or a plain directory
#                    (default https://github.com/walkor/workerman)
#   WORKERMAN_REF    branch or tag to check out of a git source (default 4.2; empty: the source's HEAD)
#   PECL_EVENT_SRC   where to get pecl-event, likewise (default https://github.com/fork-php/pecl-event)
#   PECL_EVENT_REF   branch or tag (default 3.1.4, its latest release; empty: the source's HEAD)
#   BENCH_PEERS_DIR  the target directory (default <repo>/../peers)
#   SETUP_FORCE=1    set everything up again from the sources
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
peers=${BENCH_PEERS_DIR:-$(dirname "$repo")/peers}
workerman_src=${WORKERMAN_SRC:-https://github.com/walkor/workerman}
workerman_ref=${WORKERMAN_REF-4.2}
event_src=${PECL_EVENT_SRC:-https://github.com/fork-php/pecl-event}
event_ref=${PECL_EVENT_REF-3.1.4}
force=${SETUP_FORCE:-0}

say() { echo "[workerman setup] $*" >&2; }
die() {
    echo "[workerman setup] error: $*" >&2
    exit 1
}

case $peers in
"$repo" | "$repo"/*) die "BENCH_PEERS_DIR ($peers) is inside the repository; the peer is kept outside it" ;;
esac

# --- Debian packages -------------------------------------------------------------------------------
packages=(php-cli php-dev libevent-dev libssl-dev pkg-config git make gcc)
missing=()
if command -v dpkg-query >/dev/null; then
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
else
    say "no dpkg-query (not Debian?): checking commands instead of packages"
    for c in php phpize php-config pkg-config git make cc; do
        command -v "$c" >/dev/null || die "$c is missing: install PHP (cli and dev), libevent, OpenSSL headers, pkg-config, git, make, a C compiler"
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null; then
        sudo=(sudo)
    else
        die "missing Debian packages: ${missing[*]}; install them as root: apt-get install ${missing[*]}"
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}" >&2
fi
php -r 'exit(extension_loaded("pcntl") && extension_loaded("posix") ? 0 : 1);' ||
    die "this php lacks pcntl or posix, which Workerman needs (Debian's php-cli has both)"

mkdir -p "$peers"
peers=$(cd "$peers" && pwd)

# --- sources ---------------------------------------------------------------------------------------
is_git() { # a URL, or a git repository (with a work tree or bare)
    case $1 in *://* | git@*) return 0 ;; esac
    [ -e "$1/.git" ] || [ "$(git -C "$1" rev-parse --is-bare-repository 2>/dev/null)" = true ]
}

# fetch SRC REF DEST CHECK: DEST becomes a copy of SRC (a git checkout of REF, or a copy of the
# directory) if the command CHECK accepts the copy (given its path); DEST is left as it was otherwise.
fetch_tmp=''
trap '[ -z "$fetch_tmp" ] || rm -rf "$fetch_tmp"' EXIT
fetch() {
    local src=$1 ref=$2 dest=$3 check=$4 tmp
    tmp=$(mktemp -d "$dest.tmp.XXXXXX")
    fetch_tmp=$tmp
    if is_git "$src"; then
        say "cloning $src${ref:+ at $ref} into $dest"
        git clone -q ${ref:+-b "$ref"} -c advice.detachedHead=false "$src" "$tmp/tree" >&2 ||
            die "cannot clone $src${ref:+ at $ref} (set the *_SRC / *_REF variables)"
    elif [ -d "$src" ]; then
        say "copying $src into $dest (a directory: *_REF does not apply)"
        cp -a "$src" "$tmp/tree"
    else
        die "no such source: $src"
    fi
    "$check" "$tmp/tree"
    rm -rf "$dest"
    mv "$tmp/tree" "$dest"
    rmdir "$tmp"
    fetch_tmp=''
}

# commit_of DIR: the commit checked out in DIR, if it is a git checkout.
commit_of() { [ -e "$1/.git" ] && git -C "$1" rev-parse HEAD 2>/dev/null || echo none; }

# --- Workerman ---------------------------------------------------------------------------------------
workerman=$peers/workerman
stamp=$peers/workerman.source # what it was made from: one line each for src=, ref=, commit=
want=$(printf 'src=%s\nref=%s' "$workerman_src" "$workerman_ref")
if [ "$force" != 1 ] && [ -f "$workerman/Autoloader.php" ] && [ -f "$stamp" ] &&
    [ "$(head -n 2 "$stamp")" = "$want" ]; then
    say "Workerman already set up from $workerman_src${workerman_ref:+ at $workerman_ref} ($(tail -n 1 "$stamp"))"
else
    is_workerman4() {
        [ -f "$1/Autoloader.php" ] && [ -f "$1/Worker.php" ] ||
            die "$workerman_src${workerman_ref:+ at $workerman_ref} is not Workerman 4.x (no Autoloader.php and Worker.php at its top; 5.x has neither)"
    }
    rm -f "$stamp"
    fetch "$workerman_src" "$workerman_ref" "$workerman" is_workerman4
    printf '%s\ncommit=%s\n' "$want" "$(commit_of "$workerman")" >"$stamp"
fi
workerman_version=$(sed -n "s/.*const VERSION *= *'\([^']*\)'.*/\1/p" "$workerman/Worker.php")
case $workerman_version in
4.*) ;;
*) say "warning: Workerman $workerman_version; the seed is written for 4.x" ;;
esac

# --- pecl-event --------------------------------------------------------------------------------------
event_dir=$peers/php-event
event_so=$event_dir/event.so
event_stamp=$event_dir/event.so.source # src=, ref=, the PHP it was built for, commit=
want=$(printf 'src=%s\nref=%s\nphp=%s %s' "$event_src" "$event_ref" "$(php-config --version)" "$(php-config --phpapi)")
loads() { php -d extension="$event_so" -r 'exit(extension_loaded("event") ? 0 : 1);' >/dev/null 2>&1; }
if [ "$force" != 1 ] && [ -f "$event_so" ] && [ -f "$event_stamp" ] &&
    [ "$(head -n 3 "$event_stamp")" = "$want" ] && loads; then
    say "pecl-event already built from $event_src${event_ref:+ at $event_ref} ($(tail -n 1 "$event_stamp"))"
else
    is_pecl_event() { [ -f "$1/config.m4" ] && grep -q 'event' "$1/config.m4" || die "$event_src${event_ref:+ at $event_ref} is not pecl-event (no config.m4)"; }
    mkdir -p "$event_dir"
    rm -f "$event_stamp"
    fetch "$event_src" "$event_ref" "$event_dir/src" is_pecl_event
    say "building pecl-event for PHP $(php-config --version) (phpize, configure, make)"
    (
        cd "$event_dir/src"
        phpize >&2
        ./configure --with-php-config="$(command -v php-config)" \
            --with-event-core --with-event-extra --with-event-openssl >&2
        make -j"$(nproc)" >&2
    ) >"$event_dir/build.log" 2>&1 || die "building pecl-event failed; see $event_dir/build.log"
    cp "$event_dir/src/modules/event.so" "$event_so.tmp"
    mv "$event_so.tmp" "$event_so"
    loads || die "$event_so was built but this php does not load it; see $event_dir/build.log"
    printf '%s\ncommit=%s\n' "$want" "$(commit_of "$event_dir/src")" >"$event_stamp"
fi

event_version=$(php -d extension="$event_so" -r 'echo phpversion("event");' 2>/dev/null)
say "ready in $peers: Workerman $workerman_version, pecl-event $event_version, PHP $(php -r 'echo PHP_VERSION;')"
say "start it with: $here/start.sh WS_PORT TEXT_PORT PIDFILE (BENCH_PEERS_DIR=$peers)"
