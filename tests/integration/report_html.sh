#!/bin/sh
# report_html.sh: the administrator's HTML report, opened in a real
# browser. The unit test cli_stats/test_sample_report writes a sample
# report (30 pairs, 12 months) when BN_REPORT_OUT names a file; headless Chromium renders it to a PNG
# and dumps the DOM, which must hold the four SVG charts and the at-risk
# table.
#
#   BUILD=build sh tests/integration/report_html.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed. Skips (one "ok N -
# # SKIP" line) only when Chromium is missing and cannot be installed.
# KEEP_REPORT=DIR keeps report.html and report.png in DIR.
. "$(dirname "$0")/lib/common.sh"
TEST=$BUILD/tests/unit_runner
need_progs "run make tests first" "$TEST"
make_tmp report
not_ok_detail() { show_tail 5 "$T/err"; }
: >"$T/err"

# Chromium: install it when missing (scripts/deps.sh report), else skip.
browser=""
for b in chromium chromium-browser; do
    command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
    sh scripts/deps.sh report >"$T/deps.log" 2>&1 || true
    command -v chromium >/dev/null 2>&1 && browser=chromium
fi
if [ -z "$browser" ]; then
    n=$((n + 1)) passed=$((passed + 1))
    echo "ok $n - # SKIP chromium not installed"
    finish
fi

if BN_REPORT_OUT="$T/report.html" "$TEST" cli_stats/test_sample_report \
    >"$T/test.log" 2>"$T/err" &&
    [ -s "$T/report.html" ]; then
    ok "test_sample_report wrote a sample report"
else
    not_ok "test_sample_report wrote a sample report"
    finish
fi

# run_browser ARGS...: headless Chromium on the report, with a throwaway
# profile and no network activity of its own; killed after 60 s.
run_browser() {
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --disable-dev-shm-usage \
        --hide-scrollbars --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" \
        "$@" "file://$T/report.html"
}

if run_browser --screenshot="$T/report.png" --window-size=1200,1800 \
    >"$T/shot.log" 2>"$T/err" && [ -f "$T/report.png" ]; then
    ok "chromium took a screenshot"
else
    not_ok "chromium took a screenshot"
fi
size=$(wc -c <"$T/report.png" 2>/dev/null || echo 0)
if [ "$size" -gt 50000 ] &&
    [ "$(head -c 8 "$T/report.png" | od -An -tx1 | tr -d ' \n')" = \
        89504e470d0a1a0a ]; then
    ok "the screenshot is a PNG of $size bytes"
else
    not_ok "the screenshot is a PNG of more than 50000 bytes (got $size)"
fi

if run_browser --dump-dom >"$T/dom.html" 2>"$T/err" && [ -s "$T/dom.html" ]
then
    ok "chromium parsed the page (--dump-dom)"
else
    not_ok "chromium parsed the page (--dump-dom)"
fi
svgs=$(grep -o '<svg' "$T/dom.html" | wc -l)
if [ "$svgs" -ge 4 ]; then
    ok "the page has $svgs SVG charts"
else
    not_ok "the page has at least 4 SVG charts (got $svgs)"
fi
if grep -q '<table id="at-risk"' "$T/dom.html" &&
    grep -q 'Days without session' "$T/dom.html"; then
    ok "the page has the at-risk table"
else
    not_ok "the page has the at-risk table"
fi
for title in "Sessions held per month" "Pairs by status" \
    "Objectives defined and reached" "Pairs at risk"; do
    if grep -q "<h2>$title" "$T/dom.html"; then
        ok "section '$title'"
    else
        not_ok "section '$title'"
    fi
done
if grep -qi -e '<script' -e 'src=' -e 'https\?://' "$T/report.html"; then
    not_ok "the report is self-contained (no script, no external asset)"
else
    ok "the report is self-contained (no script, no external asset)"
fi

if [ -n "${KEEP_REPORT:-}" ]; then
    mkdir -p "$KEEP_REPORT" && cp "$T/report.html" "$T/report.png" \
        "$KEEP_REPORT/"
fi
finish
