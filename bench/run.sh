#!/bin/sh
# bench/run.sh — run every benchmark of issue 8 (DESIGN.md section 10) and
# print one table: the median time and peak memory of whatworks, of the
# reference it is measured against (the physical limit: the fastest tool
# that does the underlying work, run on the same input in the same run), and
# their ratio. Started by `make bench [SCALE=...]` after the build; see
# bench/README.md. Benchmarks measure: nothing here fails on a slow result.
#
# Environment: BUILD (build), SCALE (small: tiny|small|medium|full), SEED (1),
# REPS (5: runs of each quick benchmark), IMPORT_REPS (3: runs of each
# import), QUERY_REPS (20: runs of each in-process query), R_REPS (3),
# RSCRIPT (Rscript; a name that is not installed skips metafor).
set -eu

BUILD=${BUILD:-build}
SCALE=${SCALE:-small}
SEED=${SEED:-1}
REPS=${REPS:-5}
IMPORT_REPS=${IMPORT_REPS:-3}
QUERY_REPS=${QUERY_REPS:-20}
R_REPS=${R_REPS:-3}
RSCRIPT=${RSCRIPT:-Rscript}

TOP=$(pwd)
BUILT=$TOP/$BUILD/bench
CORPUS=$BUILT/corpus-$SCALE
WORK=$BUILT/work-$SCALE
ROWS=$WORK/rows.txt
RESULTS=$BUILT/results-$SCALE.md
START=$(date +%s)

for p in "$TOP/$BUILD/whatworks" "$BUILT/timeit" "$BUILT/gen" "$BUILT/bench_query" "$BUILT/bench_meta"; do
    [ -x "$p" ] || { echo "bench: $p is missing (run make bench)" >&2; exit 70; }
done
for tool in xmllint sqlite3; do
    command -v $tool >/dev/null 2>&1 || { echo "bench: needs $tool (apt-get install libxml2-utils sqlite3)" >&2; exit 69; }
done
mkdir -p "$WORK"
: > "$ROWS"

# Run copies of the programs, so a rebuild in the build directory during a
# long run cannot swap or break them half-way.
B=$WORK/bin
rm -rf "$B"
mkdir -p "$B"
cp "$TOP/$BUILD/whatworks" "$BUILT/timeit" "$BUILT/gen" "$BUILT/bench_query" "$BUILT/bench_meta" "$B/"
W=$B/whatworks
T=$B/timeit

# ---- helpers ---------------------------------------------------------------

# field LINE KEY: the value of KEY=value in a line of key=value pairs
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# row NAME WW_MS WW_KB REF_NAME REF_MS REF_KB TARGET RESULT [KIND]
# One line of the table; empty numbers print as "-". The ratio column is
# WW_MS / REF_MS, left empty when KIND is "rss" or "none".
row() { printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "${9:-}" >> "$ROWS"; }

# calc EXPR: floating point arithmetic and comparisons (1 or 0) via awk
calc() { awk "BEGIN { x = $1; print x }"; }

ratio() { calc "$1 / $2"; }

# verdict COND: "met" or "missed"
verdict() { if [ "$(calc "$1")" = 1 ]; then echo met; else echo missed; fi; }

# status_note STATUS ERRFILE: nothing when 0, else "exit N: first line"
status_note() {
    [ "$1" = 0 ] && return 0
    printf 'exit %s: %s' "$1" "$(grep -v '^$' "$2" | grep -iv warning | head -n 1 | cut -c1-70)"
}

# has_format NAME: whether this build has the importer NAME (a one-line
# probe file, not empty: an empty file is refused before the format is
# looked up)
has_format() {
    printf 'x\n' > "$WORK/probe"
    ! "$W" validate --format "$1" "$WORK/probe" 2>&1 | grep -q "unknown format"
}

mb() { calc "$1 / 1048576"; }

# ---- machine and corpus ------------------------------------------------------

COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$TOP" status --porcelain 2>/dev/null | head -n 1)" ]; then
    COMMIT="$COMMIT + uncommitted changes"
fi
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
CORES=$(nproc 2>/dev/null || echo "?")
MEM=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
SQLITE_V=$(sqlite3 --version | cut -d' ' -f1)
XMLLINT_V=$(xmllint --version 2>&1 | head -n 1 | sed 's/.*version //')

STAMP="scale=$SCALE seed=$SEED gen=$(cksum < "$B/gen" | cut -d' ' -f1)"
if [ ! -f "$CORPUS/corpus.txt" ] || [ "$(cat "$CORPUS/stamp" 2>/dev/null)" != "$STAMP" ]; then
    echo "bench: generating the $SCALE corpus in $CORPUS ..." >&2
    rm -rf "$CORPUS"
    t0=$(date +%s)
    "$B/gen" --scale "$SCALE" --seed "$SEED" --issues "$TOP/data/issues.tsv" --out "$CORPUS" > /dev/null
    echo "bench: generated in $(( $(date +%s) - t0 )) s" >&2
    echo "$STAMP" > "$CORPUS/stamp"
fi
cget() { sed -n "s/^$1 //p" "$CORPUS/corpus.txt"; }

DB=$WORK/ww.db
REF_DB=$WORK/ref.db
NEW_DB="rm -f '$DB' '$DB-wal' '$DB-shm' && '$W' --db '$DB' init > /dev/null"

# ---- submissions: import vs xmllint --stream -------------------------------------

echo "bench: submissions import ..." >&2
N_SUB=$(cget submissions_files)
cd "$CORPUS/submissions"
r=$("$T" -n "$IMPORT_REPS" --setup "$NEW_DB" --stderr "$WORK/sub.err" -- "$W" --db "$DB" import "$CORPUS/submissions")
x=$("$T" -n "$REPS" --warmup 1 -- xmllint --stream --noout ./*.xml)
cd "$TOP"
note=$(status_note "$(field "$r" status)" "$WORK/sub.err")
row "Submissions import, $N_SUB files ($(printf %.1f "$(mb "$(cget submissions_bytes)")") MB)" \
    "$(field "$r" median_ms)" "$(field "$r" rss_kb)" "xmllint --stream --noout" \
    "$(field "$x" median_ms)" "$(field "$x" rss_kb)" "<= 2x (DESIGN 10)" \
    "${note:-$(verdict "$(field "$r" median_ms) <= 2 * $(field "$x" median_ms)")}"
# The last run left the submissions in $DB: the query corpus starts there.
rm -f "$WORK/query.db" "$WORK/query.db-wal" "$WORK/query.db-shm"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
cp "$DB" "$WORK/query.db"

# ---- RevMan 5: import vs xmllint --stream, and memory at two sizes -----------------

echo "bench: RevMan import ..." >&2
RM_BYTES=$(cget revman_bytes)
RMQ_BYTES=$(cget revman_quarter_bytes)
if has_format revman; then
    for part in quarter full; do
        if [ $part = full ]; then f=$CORPUS/revman.rm5; bytes=$RM_BYTES; label="100%"
        else f=$CORPUS/revman-quarter.rm5; bytes=$RMQ_BYTES; label="25%"; fi
        r=$("$T" -n "$IMPORT_REPS" --setup "$NEW_DB" --stderr "$WORK/rm-$part.err" -- \
            "$W" --db "$DB" import --format revman "$f")
        x=$("$T" -n "$REPS" --warmup 1 -- xmllint --stream --noout "$f")
        note=$(status_note "$(field "$r" status)" "$WORK/rm-$part.err")
        row "RevMan import, $label of the file ($(printf %.1f "$(mb "$bytes")") MB)" \
            "$(field "$r" median_ms)" "$(field "$r" rss_kb)" "xmllint --stream --noout" \
            "$(field "$x" median_ms)" "$(field "$x" rss_kb)" "<= 2x" \
            "${note:-$(verdict "$(field "$r" median_ms) <= 2 * $(field "$x" median_ms)")}"
        eval "RSS_$part=$(field "$r" rss_kb)"
        eval "XRSS_$part=$(field "$x" rss_kb)"
    done
    # Flat: at 4x the bytes, at most 1.25x the peak memory.
    row "RevMan peak RSS, 100% file vs 25% file" "" "$RSS_full" "xmllint, 100% vs 25%" "" \
        "$XRSS_full" "flat (<= 1.25x at 4x bytes)" \
        "$(verdict "$RSS_full <= 1.25 * $RSS_quarter") (whatworks $(printf %.2f "$(ratio "$RSS_full" "$RSS_quarter")")x, xmllint $(printf %.2f "$(ratio "$XRSS_full" "$XRSS_quarter")")x)" \
        "rss"
    "$W" --db "$WORK/query.db" import --format revman "$CORPUS/revman.rm5" > /dev/null 2>&1 || true
else
    row "RevMan import ($(printf %.1f "$(mb "$RM_BYTES")") MB)" "" "" "xmllint --stream --noout" "" "" \
        "<= 2x; RSS flat" "importer not built"
fi

# ---- WWC findings CSV: import vs sqlite3 .import ---------------------------------

echo "bench: WWC CSV import ..." >&2
WWC_ROWS=$(cget wwc_rows)
if has_format wwc-findings; then
    r=$("$T" -n "$IMPORT_REPS" --setup "$NEW_DB" --stderr "$WORK/wwc.err" -- \
        "$W" --db "$DB" import --format wwc-findings "$CORPUS/wwc_findings.csv")
    x=$("$T" -n "$IMPORT_REPS" --setup "rm -f '$REF_DB'" -- \
        sqlite3 "$REF_DB" ".import --csv $CORPUS/wwc_findings.csv findings")
    note=$(status_note "$(field "$r" status)" "$WORK/wwc.err")
    row "WWC findings CSV import, $WWC_ROWS rows ($(printf %.1f "$(mb "$(cget wwc_bytes)")") MB)" \
        "$(field "$r" median_ms)" "$(field "$r" rss_kb)" "sqlite3 .import, plain table" \
        "$(field "$x" median_ms)" "$(field "$x" rss_kb)" "<= 1.5x" \
        "${note:-$(verdict "$(field "$r" median_ms) <= 1.5 * $(field "$x" median_ms)")}"
    "$W" --db "$WORK/query.db" import --format wwc-findings "$CORPUS/wwc_findings.csv" > /dev/null 2>&1 || true
else
    row "WWC findings CSV import, $WWC_ROWS rows" "" "" "sqlite3 .import" "" "" "<= 1.5x" \
        "importer not built"
fi

# ---- queries ---------------------------------------------------------------------

echo "bench: queries ..." >&2
Q=$WORK/query.db
QDB_COUNTS=$(sqlite3 "$Q" "SELECT (SELECT count(*) FROM intervention) || ' interventions, ' ||
    (SELECT count(*) FROM study) || ' studies, ' || (SELECT count(*) FROM effect) || ' effects, ' ||
    (SELECT count(*) FROM search_doc) || ' indexed documents'")
qr=$("$B/bench_query" "$Q" --reps "$QUERY_REPS" --limit 50 \
    truancy "persistent absence" "school exclusion" "anti-social behaviour" "youth offending" \
    "substance misuse" "alcohol misuse" homelessness "domestic abuse" worklessness reoffending \
    mentoring "family therapy" | tee "$WORK/queries.txt" | tail -n 1)
NQ=$(field "$qr" queries)
row "Ranked query, in process, p50 of $NQ issues x $QUERY_REPS" "$(field "$qr" ww_p50_ms)" \
    "$(field "$qr" rss_kb)" "raw FTS5 MATCH, rank, LIMIT 50" "$(field "$qr" raw_p50_ms)" "" "<= 2x" \
    "$(verdict "$(field "$qr" ww_p50_ms) <= 2 * $(field "$qr" raw_p50_ms)")"
row "Ranked query, in process, p90" "$(field "$qr" ww_p90_ms)" "" "raw FTS5, p90" \
    "$(field "$qr" raw_p90_ms)" "" "-" "-"
row "Ranked query p50, absolute" "$(field "$qr" ww_p50_ms)" "" "" "" "" "< 5 ms at full scale" \
    "$(if [ "$SCALE" = full ]; then verdict "$(field "$qr" ww_p50_ms) < 5"; else echo "applies at full scale"; fi)" \
    "none"

# The expression the query used, from its JSON, run as a raw MATCH.
if command -v jq >/dev/null 2>&1; then
    EXPR=$("$W" --db "$Q" query truancy --limit 50 --format json | jq -r .fts_expression)
else
    EXPR=$("$B/bench_query" "$Q" --fts truancy)
fi
r=$("$T" -n "$REPS" --warmup 1 -- "$W" --db "$Q" query truancy --limit 50 --format json)
# The index's tokenizer (wwvariants) is not in the sqlite3 shell: bench_query
# --match is the same MATCH in one process of its own, with it registered.
x=$("$T" -n "$REPS" --warmup 1 -- "$B/bench_query" "$Q" --match "$EXPR" 50)
row "Ranked query 'truancy', whole process (CLI)" "$(field "$r" median_ms)" "$(field "$r" rss_kb)" \
    "raw MATCH process, same MATCH" "$(field "$x" median_ms)" "$(field "$x" rss_kb)" "<= 2x" \
    "$(verdict "$(field "$r" median_ms) <= 2 * $(field "$x" median_ms)")"

r=$("$T" -n 21 --warmup 2 -- "$W" --db "$Q" query truancy --limit 1 --format json)
x=$("$T" -n 21 --warmup 2 -- "$B/bench_query" "$Q" --match "$EXPR" 1)
row "Process start to first result ('truancy', --limit 1)" "$(field "$r" median_ms)" \
    "$(field "$r" rss_kb)" "raw MATCH process, LIMIT 1" "$(field "$x" median_ms)" \
    "$(field "$x" rss_kb)" "< 20 ms" "$(verdict "$(field "$r" median_ms) < 20")"

# ---- meta-analysis: whatworks vs metafor -----------------------------------------

echo "bench: meta-analysis ..." >&2
m=$("$B/bench_meta" --reps 7 --data "$WORK/meta-sets.csv" --estimates "$WORK/meta-ww.csv")
R_LINE=""
R_NOTE="R/metafor not installed"
if command -v "$RSCRIPT" >/dev/null 2>&1 &&
    "$RSCRIPT" -e 'suppressPackageStartupMessages(library(metafor))' > /dev/null 2>&1; then
    echo "bench: R metafor (about a minute) ..." >&2
    R_LINE=$("$RSCRIPT" "$TOP/bench/metafor.R" "$WORK/meta-sets.csv" "$WORK/meta-ww.csv" "$R_REPS" 2> "$WORK/metafor.err" | tail -n 1)
    if [ -z "$(field "$R_LINE" r_reml_ms)" ]; then
        R_LINE=""
        R_NOTE="metafor run failed (see $WORK/metafor.err)"
    fi
fi
for method in dl reml; do
    M=$(echo $method | tr a-z A-Z)
    if [ -n "$R_LINE" ]; then
        rms=$(field "$R_LINE" r_${method}_ms)
        row "$M, 1,000 meta-analyses of 20" "$(field "$m" ${method}_ms)" "" \
            "metafor $(field "$R_LINE" metafor) rma.uni" "$rms" "" ">= 100x faster" \
            "$(verdict "$(field "$m" ${method}_ms) * 100 <= $rms")"
    else
        row "$M, 1,000 meta-analyses of 20" "$(field "$m" ${method}_ms)" "" "metafor" "" "" \
            ">= 100x faster" "$R_NOTE"
    fi
done
for k in 1000 10000 100000; do
    t=$(field "$m" reml_k${k}_ms)
    if [ $k = 100000 ]; then
        tgt="< 10 ms"; res=$(verdict "$t < 10")
    else
        tgt="linear in k"; res="-"
    fi
    row "REML, one meta-analysis of k = $k ($(field "$m" reml_k${k}_iter) iterations)" "$t" "" \
        "metafor: dense k x k REML" "" "" "$tgt" "$res ($(printf %.0f "$(calc "$t * 1e6 / $k")") ns per study)" \
        "none"
done

# ---- HTTP API --------------------------------------------------------------------

if "$W" --help 2>&1 | grep -qw serve; then
    row "HTTP API (wrk, loopback)" "" "" "nginx, static file" "" "" "-" \
        "server exists but this script does not drive it yet"
else
    row "HTTP API (wrk, loopback)" "" "" "nginx, static file" "" "" "-" "no server yet" "none"
fi

# ---- the table -------------------------------------------------------------------

{
    echo "whatworks benchmarks, SCALE=$SCALE (seed $SEED), commit $COMMIT, $(date -u +%Y-%m-%d)"
    echo "machine: $CPU, $CORES cores, $MEM RAM, $(uname -sr); sqlite3 $SQLITE_V, xmllint $XMLLINT_V"
    echo "corpus: $(cget interventions) interventions, $(cget studies) studies, $(cget effects) effects;" \
        "query database: $QDB_COUNTS"
    echo "runs: imports $IMPORT_REPS, quick benchmarks $REPS, in-process queries $QUERY_REPS per issue, meta 7, metafor $R_REPS; medians"
    echo
    awk -F'|' '
    function t(ms) {
        if (ms == "") return "-"
        if (ms >= 1000) return sprintf("%.2f s", ms / 1000)
        if (ms >= 100) return sprintf("%.0f ms", ms)
        if (ms >= 10) return sprintf("%.1f ms", ms)
        if (ms >= 1) return sprintf("%.2f ms", ms)
        return sprintf("%.3f ms", ms)
    }
    function m(kb) { return kb == "" ? "-" : sprintf("%.1f MB", kb / 1024) }
    function r(a, b, kind) {
        if (kind == "none" || a == "" || b == "" || b == 0) return "-"
        if (kind == "rss") return "-"
        if (a / b < 0.5) return sprintf("%.0fx faster", b / a)
        return sprintf("%.2fx", a / b)
    }
    BEGIN {
        print "| benchmark | whatworks | peak RSS | reference | reference time | reference RSS | ratio | target | result |"
        print "|---|---|---|---|---|---|---|---|---|"
    }
    {
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, t($2), m($3), $4, t($5), m($6),
            r($2, $5, $9), $7, $8
    }' "$ROWS"
    if [ -n "$R_LINE" ]; then
        echo
        echo "metafor $(field "$R_LINE" metafor) on R $(field "$R_LINE" R) at its defaults fitted the same sets;" \
            "largest differences from whatworks: DL tau2 $(field "$R_LINE" max_dtau2_dl), estimate $(field "$R_LINE" max_dest_dl);" \
            "REML tau2 $(field "$R_LINE" max_dtau2_reml), estimate $(field "$R_LINE" max_dest_reml)" \
            "(metafor stops REML at 1e-5, whatworks at 1e-10); metafor fits that failed: $(field "$R_LINE" r_failed)."
    fi
    echo "Meta-analysis sets redrawn because REML Fisher scoring did not converge: $(field "$m" redrawn) of 1,000."
    echo "Per-query times: ${WORK#"$PWD"/}/queries.txt. Total time of this run: $(( $(date +%s) - START )) s."
} | tee "$RESULTS"
