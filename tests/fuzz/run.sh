#!/bin/sh
# run.sh SECONDS TARGET...: run each libFuzzer target for SECONDS on a copy
# of its seed corpus (tests/corpus/NAME), so the tree is never written to.
# Crashers land in build/fuzz/artifacts/. Exit 1 on any finding.
set -u
secs=$1; shift
status=0
mkdir -p build/fuzz/artifacts
for t in "$@"; do
    name=$(basename "$t")
    work=$(mktemp -d)
    [ -d "tests/corpus/$name" ] && cp -r "tests/corpus/$name/." "$work/"
    echo "fuzz: $name for ${secs}s"
    if ! "$t" -max_total_time="$secs" -print_final_stats=1 \
          -artifact_prefix=build/fuzz/artifacts/"$name"- "$work" \
          >build/fuzz/"$name".log 2>&1; then
        echo "fuzz: $name FOUND A CRASH (see build/fuzz/$name.log)"
        tail -40 build/fuzz/"$name".log
        status=1
    else
        grep -E '^stat::number_of_executed_units|^Done' build/fuzz/"$name".log | tr '\n' ' '
        echo
    fi
    rm -rf "$work"
done
exit $status
