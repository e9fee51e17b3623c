#!/bin/sh
# web.sh — the HTTP server's throughput on loopback (DESIGN.md section 10),
# `make bench-web`. wrk with 16 connections against /api/v1/query and
# /search for truancy, and, in the same run, against nginx serving static
# files of exactly the same sizes: nginx sending bytes it already holds is
# the limit an HTTP server on this machine can reach, so the ratio says how
# close whatworks is to it. Both servers get the same cores; wrk runs beside
# them. Prints one table; measures only, fails nothing.
# Two more rows say where the time goes: an intervention page (no ranking)
# and /healthz (no database), each beside nginx with a file of its size.
# Environment: BUILD (build), DURATION (seconds per run, 10), CONNECTIONS (16).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
BIN=$(pwd)/$BUILD/whatworks
THREADS=$(nproc)
work=$(mktemp -d /tmp/ww-bench-web.XXXXXX)
server_pid=""
nginx_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$BIN" --db "$work/w.db" init >/dev/null
"$BIN" --db "$work/w.db" import data/examples >/dev/null 2>&1

"$BIN" --db "$work/w.db" serve --port 0 --threads "$THREADS" --quiet > "$work/serve.out" &
server_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
    grep -q listening "$work/serve.out" 2>/dev/null && break
    sleep 0.2
done
ww=$(sed -n 's|listening on \(http://[^/]*\)/|\1|p' "$work/serve.out")

# Static files of the same sizes as the two answers, for nginx.
mkdir -p "$work/www"
curl -s "$ww/api/v1/query?issue=truancy" > "$work/www/query.json"
curl -s "$ww/search?q=truancy" > "$work/www/search.html"
curl -s "$ww/interventions/attendance-mentoring-illustrative-example" > "$work/www/intervention.html"
curl -s "$ww/healthz" > "$work/www/healthz.txt"
nginx_port=$(( 20000 + $$ % 20000 ))
cat > "$work/nginx.conf" <<CONF
worker_processes $THREADS;
pid $work/nginx.pid;
error_log $work/nginx.err;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/octet-stream;
    types { application/json json; text/html html; text/plain txt; }
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
sleep 0.5
ng="http://127.0.0.1:$nginx_port"

# wrk --latency: requests/s and the 50th/99th percentile latency.
run() {
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" > "$work/wrk.out" 2>&1
    rps=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk.out")
    p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.out")
    p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ { $1 = $1; printf "%s; ", $0 }' "$work/wrk.out")
    echo "$rps $p50 $p99 ${errs:-none}"
}

printf '\nHTTP on loopback, %s connections, %ss each, %s server threads, %s cores\n\n' \
    "$CONNECTIONS" "$DURATION" "$THREADS" "$(nproc)"
printf '| target | bytes | whatworks req/s | p50 | p99 | nginx static req/s | p50 | p99 | whatworks / nginx |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for pair in "/api/v1/query?issue=truancy query.json" "/search?q=truancy search.html" \
    "/interventions/attendance-mentoring-illustrative-example intervention.html" "/healthz healthz.txt"; do
    path=${pair% *}
    file=${pair#* }
    bytes=$(wc -c < "$work/www/$file")
    set -- $(run "$ww$path")
    w_rps=$1 w_p50=$2 w_p99=$3
    set -- $(run "$ng/$file")
    n_rps=$1 n_p50=$2 n_p99=$3
    ratio=$(awk -v a="$w_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$path" "$bytes" "$w_rps" "$w_p50" \
        "$w_p99" "$n_rps" "$n_p50" "$n_p99" "$ratio"
done
echo
