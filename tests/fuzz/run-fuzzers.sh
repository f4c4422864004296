#!/bin/sh
# Runs every libFuzzer harness of a STRATA_FUZZ build for a bounded time, JOBS at a time:
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS JOBS
# Each starts from the seeds in tests/fuzz/corpus/<name> (read only) and keeps what it finds in
# BUILD_DIR/fuzz-corpus/<name>; an input that breaks a property is saved as
# BUILD_DIR/fuzz-crashes/<name>-crash-... and the run fails. Such an input belongs in
# tests/fuzz/regressions/<name>/, where the ordinary fuzz_replay_<name> test replays it.
set -eu
build=$1
seconds=$2
jobs=$3
here=$(cd "$(dirname "$0")" && pwd)
harnesses="database_url sql_splitter column_filter sql_compiler"

mkdir -p "$build/fuzz-crashes"
for name in $harnesses; do
    mkdir -p "$build/fuzz-corpus/$name"
done

export LSAN_OPTIONS="suppressions=$here/../support/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
status=0
echo "$harnesses" | tr ' ' '\n' | xargs -P "$jobs" -I NAME sh -c '
    build=$1 seconds=$2 here=$3 name=$4
    log="$build/fuzz-crashes/$name.log"
    if "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=20 \
           -rss_limit_mb=2560 -max_len=8192 -print_final_stats=1 \
           -artifact_prefix="$build/fuzz-crashes/$name-" \
           "$build/fuzz-corpus/$name" "$here/corpus/$name" >"$log" 2>&1; then
        echo "fuzz $name: $(grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units)" "$log" | tail -1)"
    else
        echo "fuzz $name: FAILED (log: $log)"
        tail -40 "$log"
        exit 255
    fi
' sh "$build" "$seconds" "$here" NAME || status=1
exit $status
