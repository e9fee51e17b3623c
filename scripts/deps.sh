#!/bin/sh
# deps.sh: make sure every system package whatworks builds and tests with is present.
# As root it installs what is missing with apt-get; otherwise it prints the exact
# install line and stops with status 1. Usage: scripts/deps.sh [--check]
set -eu

# The build and `make check`; then what the slower tiers use: clang and its
# sanitizer/libFuzzer runtimes (make fuzz), valgrind (make check-valgrind).
packages="make gcc pkg-config libsqlite3-dev sqlite3 libxml2-dev libxml2-utils libpcre2-dev \
libcmocka-dev libgsl-dev libjansson-dev libcsv-dev nettle-dev libzip-dev \
clang libclang-rt-14-dev valgrind"

missing=""
for p in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

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
