#!/bin/sh
# run.sh: run test binaries one after the other, sum cmocka's counts, and
# end with one line "N passed, N failed". Exit 1 if any test failed.
# Integration tests find the programs in $BUILD (set by the Makefile).
set -u
: "${BUILD:=build}"
export BINOMED="$PWD/$BUILD/binomed" BINOME="$PWD/$BUILD/binome"
export BINOME_KDF=interactive
passed=0 failed=0 bad=""
for t in "$@"; do
    out=$(mktemp)
    case "$t" in
    *.sh) sh "$t" >"$out" 2>&1 ;;
    *) "$t" >"$out" 2>&1 ;;
    esac
    rc=$?
    cat "$out"
    # cmocka's summary lines, or a script's "N passed, N failed"
    p=$(sed -n -e 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' \
        -e 's/^\([0-9][0-9]*\) passed, [0-9][0-9]* failed.*/\1/p' "$out" |
        awk '{s+=$1} END {print s+0}')
    f=$(sed -n -e 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' \
        -e 's/^[0-9][0-9]* passed, \([0-9][0-9]*\) failed.*/\1/p' "$out" |
        awk '{s+=$1} END {print s+0}')
    rm -f "$out"
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        failed=$((failed + 1))   # crashed or failed outside cmocka's count
    fi
    [ "$rc" -ne 0 ] && bad="$bad $(basename "$t")"
done
echo "tests: $passed passed, $failed failed"
[ -n "$bad" ] && { echo "failing:$bad" >&2; exit 1; }
exit 0
