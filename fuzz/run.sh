#!/bin/sh
# run.sh — run every libFuzzer harness for a bounded time, each from a seed
# corpus built here, at run time, from the project's fixtures and the real
# files in ../shared/data (nothing is copied into the project). Prints the
# executions of each harness; exits 1 when any found a crash, a leak or a
# timeout (the input is kept as ARTIFACTS/<harness>-crash-... and replays
# with `BIN INPUT`).
# Usage: fuzz/run.sh SECONDS BUILD_DIR SHARED_DATA HARNESS...
set -u

seconds=$1 build=$2 shared=$3
shift 3
top=$(pwd)
seeds=$build/seeds
corpus=$build/corpus
artifacts=$build/artifacts
mkdir -p "$seeds" "$corpus" "$artifacts"

# copy FILES... into the seed directory of harness NAME (missing files are
# skipped: shared data may be absent on a machine)
seed() {
    name=$1
    shift
    mkdir -p "$seeds/$name"
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "$seeds/$name/"
    done
    return 0
}

# the first lines of a large file as a seed (libFuzzer mutates small inputs
# far faster; the structure is all in the first rows)
seed_head() {
    name=$1 file=$2 lines=$3
    mkdir -p "$seeds/$name"
    [ -f "$file" ] && head -n "$lines" "$file" > "$seeds/$name/head-$(basename "$file")"
    return 0
}

rm -rf "$seeds"
seed submission data/examples/*.xml tests/fixtures/submission/*.xml
seed revman "$shared"/revman/*.rm5 tests/fixtures/revman/*.rm5 tests/fixtures/revman/*.xml
seed_head revman "$shared/revman/antibiotics-for-sore-throat_CD000023.rm5" 400
seed wwc tests/fixtures/wwc/*.csv "$shared/wwc/wwc_Studies_3rows.csv"
seed_head wwc "$shared/wwc/wwc_Findings.csv" 30
seed wwc_studies "$shared/wwc/wwc_Studies_3rows.csv"
seed_head wwc_studies "$shared/wwc/wolf2021_wp_meta_v2.csv" 30
seed_head wwc_reports "$shared/wwc/wwc_InterventionReports.csv" 60
seed pilot_csv tests/fixtures/pilot_csv/*.csv data/examples/*.csv data/templates/*.csv
seed report tests/fixtures/report/* "$shared"/stat-extraction/*.htm
seed extract tests/fixtures/report/* "$shared"/stat-extraction/*.htm
seed_head extract "$shared/stat-extraction/statcheck_manually_extracted_stats.csv" 60
# workbooks: the real GMCA workbook (zip bytes are not text, so no head of it)
seed xlsx "$shared"/economics/*.xlsx
seed gmca_unit_costs "$shared"/economics/*.xlsx
seed flows tests/fixtures/case/*.csv
seed meta_csv tests/fixtures/meta/*.csv
seed csv tests/fixtures/case/*.csv tests/fixtures/meta/*.csv tests/fixtures/wwc/*.csv \
    tests/fixtures/pilot_csv/*.csv "$shared"/economics/*.csv
mkdir -p "$seeds/query"
i=0
for q in truancy "school absence" "anti-social behavior" "NEAR(a b, 3)" '"unbalanced' \
    'title:mentoring' '{title body}:x' 'a* AND b OR NOT c' '^start' "'; DROP TABLE source; --" \
    'persistent absence' 'mentoring' 'x"y' '(' ')' '-' '+' ; do
    printf '%s' "$q" > "$seeds/query/q$i"
    i=$((i + 1))
done

status=0
printf '%-22s %12s %10s  %s\n' harness executions exec/s result
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    mkdir -p "$corpus/$name" "$seeds/$name"
    log=$build/fuzz-$name.log
    # a zip's directory is at its end: a workbook seed must fit whole
    max_len=65536
    case $name in xlsx | gmca_unit_costs) max_len=524288 ;; esac
    WW_TOP=$top "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
        "$corpus/$name" "$seeds/$name" > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    if [ $rc = 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc; see $log)"
        status=1
    fi
    printf '%-22s %12s %10s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "$result"
done
exit $status
