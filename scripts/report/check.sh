#!/usr/bin/env bash
# The HTML report in a real browser: `nhan report` on a copy of the sample
# project, loaded by headless Chromium (Debian's package, installed if
# missing). Fails on a console error, on a page over 200 KB, or when the
# screenshot shows empty charts (scripts/report/check_png.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (Debian package)"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

work=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$work" "$profile"' EXIT
mkdir -p "$work/project"
cp -r articles annotations nhan.toml "$work/project/"
cargo build --release --quiet
./target/release/nhan --project "$work/project" report --out "$work/report.html"

size=$(stat -c %s "$work/report.html")
echo "report: $size bytes"
[ "$size" -lt 204800 ] || { echo "the sample's report is over 200 KB" >&2; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$profile" --enable-logging=stderr --v=0)

# Console messages reach stderr as "CONSOLE(...)" lines; any error fails.
chromium "${flags[@]}" --window-size=1000,2400 \
    --screenshot="$work/shot.png" "file://$work/report.html" 2>"$work/console.log" || {
    cat "$work/console.log" >&2
    exit 1
}
if grep -E 'CONSOLE\(|Uncaught|ERROR:.*(console|Refused)' "$work/console.log" | grep -iv 'dbus\|gpu\|sandbox' ; then
    echo "console errors while loading the report (above)" >&2
    exit 1
fi

# The DOM as the browser laid it out: every chart is there with a size.
chromium "${flags[@]}" --dump-dom "file://$work/report.html" 2>/dev/null >"$work/dom.html"
python3 scripts/report/check_png.py "$work/shot.png" "$work/dom.html"
echo "report ok in $(chromium --version)"
