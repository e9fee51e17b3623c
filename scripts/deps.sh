#!/bin/sh
# deps.sh: make sure every system package whatworks builds and tests with is present.
# As root it installs what is missing with apt-get; otherwise it prints the exact
# install line and stops with status 1.
# Usage: scripts/deps.sh [--browser] [--bench]
#   (no option)  what `make` and `make check` need
#   --browser    also the browser tier (`make check-browser`): Debian's chromium,
#                Node.js and npm, then the tier's npm packages (playwright-core,
#                axe-core) from the npm registry into tests/browser/node_modules
#   --bench      also the HTTP benchmark (`make bench-web`): wrk and nginx
set -eu

# The build and `make check` (libmicrohttpd for `whatworks serve`); then what
# the slower tiers use: clang and its sanitizer/libFuzzer runtimes (make fuzz),
# valgrind (make check-valgrind).
packages="make gcc pkg-config libsqlite3-dev sqlite3 libxml2-dev libxml2-utils libpcre2-dev \
libcmocka-dev libgsl-dev libjansson-dev libcsv-dev nettle-dev libzip-dev libmicrohttpd-dev \
clang libclang-rt-14-dev valgrind"

# Optional: only with the option that names them, so `make check` never needs them.
browser_packages="chromium nodejs npm"
bench_packages="wrk nginx-light"

browser=0
for arg in "$@"; do
    case "$arg" in
        --browser) packages="$packages $browser_packages"; browser=1 ;;
        --bench) packages="$packages $bench_packages" ;;
        *) echo "usage: scripts/deps.sh [--browser] [--bench]" >&2; exit 64 ;;
    esac
done

is_installed() {
    # a tool the machine already has (node and npm may not come from Debian)
    case "$1" in
        nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
        npm) command -v npm >/dev/null 2>&1 && return 0 ;;
    esac
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    case "$status" in *"install ok installed"*) return 0 ;; esac
    return 1
}

missing=""
for p in $packages; do
    is_installed "$p" || missing="$missing $p"
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "whatworks needs these Debian packages:$missing" >&2
        echo "install them with:" >&2
        echo "  sudo apt-get install -y$missing" >&2
        exit 1
    fi
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing >/dev/null
fi

if [ "$browser" = 1 ] && [ ! -d "$(dirname "$0")/../tests/browser/node_modules/playwright-core" ]; then
    # from the npm registry, as the lock file pins them; the tier drives
    # Debian's chromium, so no browser is downloaded
    (cd "$(dirname "$0")/../tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
exit 0
