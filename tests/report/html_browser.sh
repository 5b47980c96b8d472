#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium loads what `sweep --report`, `merge
# --report` and `run --report` write, and the rendered DOM must show the summary counts the
# command printed, one section per failure group with exactly one chart <svg> each and the trace
# in a closed <details>; the file fetches nothing, and text from a scenario file stays text.
#   html_browser.sh DBGSIM SOURCE_DIR [CHROMIUM]
set -uo pipefail
dbgsim=$1
src=$2
chromium=${3:-chromium}
source "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"

# The DOM Chromium renders from FILE, on stdout; its own profile, so parallel tests do not meet.
dom() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$tmp/profile.$RANDOM" --dump-dom "file://$1" 2>/dev/null
}
# The text of the element with id ID in DOM file F.
by_id() { sed -n "s/.*id=\"$2\">\([^<]*\)<.*/\1/p" "$1" | head -n1; }
# One line per <section class="group">: how many <svg, <details and open <details it holds.
per_group() {
  awk 'BEGIN { RS = "<section class=\"group\"" } NR > 1 {
         svg = gsub(/<svg/, "&"); det = gsub(/<details/, "&"); open = gsub(/<details open/, "&")
         print svg, det, open }' "$1"
}
# A report that fetches nothing: no script, stylesheet link, image, frame or remote URL (a
# chart's url(#arrow) names its own marker).
self_contained() {
  ! grep -Eiq '<script|<link|<img|<iframe|<object|url\([^#]|(src|href)="(https?:)?//' "$1"
}
# check_report HTML DOM TOTAL PASSED FAILED GROUPS FINDINGS (failed on a client rule C1..C8)
check_report() {
  local html=$1 d=$2
  [ -s "$d" ] || { fail "$html: Chromium rendered nothing"; return; }
  [ "$(by_id "$d" total)" = "$3" ] || fail "$html: total is '$(by_id "$d" total)', wanted $3"
  [ "$(by_id "$d" passed)" = "$4" ] || fail "$html: passed is '$(by_id "$d" passed)', wanted $4"
  [ "$(by_id "$d" failed)" = "$5" ] || fail "$html: failed is '$(by_id "$d" failed)', wanted $5"
  [ "$(by_id "$d" groups)" = "$6" ] || fail "$html: groups is '$(by_id "$d" groups)', wanted $6"
  [ "$(by_id "$d" findings)" = "$7" ] || fail "$html: findings is '$(by_id "$d" findings)', wanted $7"
  [ "$(per_group "$d" | wc -l)" = "$6" ] || fail "$html: $(per_group "$d" | wc -l) group sections, wanted $6"
  per_group "$d" | grep -vqx '1 1 0' && fail "$html: a group without exactly one chart and one closed trace: $(per_group "$d" | paste -sd,)"
  self_contained "$html" || fail "$html: refers to something outside the file"
}

lossy="$src/scenarios/s15-every-call-completes-under-loss.yaml"
# Under this mutant a client scenario fails three ways within 60 seeds (S7 and two client findings).
picker="$src/scenarios/c-count-then-fill-misses-a-new-process.yaml"
"$dbgsim" sweep "$picker" --seeds 1..60 --swarm --mutant no-lease-expiry --report "$tmp/sweep.html" \
  --results "$tmp/all.json" >"$tmp/sweep.txt"
[ $? = 1 ] || fail "the sweep under no-lease-expiry should fail"
groups=$(grep -c '^FAIL ' "$tmp/sweep.txt")
read -r runs failed < <(sed -n 's/^\([0-9]*\) runs, \([0-9]*\) failed$/\1 \2/p' "$tmp/sweep.txt")
[ "$groups" -ge 2 ] || fail "wanted two groups or more: $(cat "$tmp/sweep.txt")"
# The seeds of the groups whose signature is a client rule; the S7 group is not one of them, so
# counting every failure would not pass.
findings=$(sed -n 's/^FAIL \(missing \)\{0,1\}C[1-9][^:]*: \([0-9]*\) seed.*/\2/p' "$tmp/sweep.txt" |
  awk '{ n += $1 } END { print n + 0 }')
[ "$findings" -gt 0 ] && [ "$findings" -lt "$failed" ] ||
  fail "wanted failures both by client findings and by other rules: $(cat "$tmp/sweep.txt")"
dom "$tmp/sweep.html" >"$tmp/sweep.dom"
check_report "$tmp/sweep.html" "$tmp/sweep.dom" "$runs" "$((runs - failed))" "$failed" "$groups" "$findings"
# Each group's first seed is in its section, with the replay command the summary printed.
first=$(sed -n 's/^FAIL .*first seed \([0-9]*\)$/\1/p' "$tmp/sweep.txt" | head -n1)
grep -q "<td class=\"seed\">$first</td>" "$tmp/sweep.dom" || fail "the first group's seed $first is not shown"
replay=$(sed -n 's/^    replay: //p' "$tmp/sweep.txt" | head -n1)
grep -qF "$replay" "$tmp/sweep.dom" || fail "the replay command '$replay' is not shown"

# A near miss: a sweep that passes renders no group and no chart.
"$dbgsim" sweep "$lossy" --seeds 1..5 --report "$tmp/pass.html" >/dev/null || fail "passing sweep"
dom "$tmp/pass.html" >"$tmp/pass.dom"
check_report "$tmp/pass.html" "$tmp/pass.dom" 5 5 0 0 0
grep -q '<svg' "$tmp/pass.dom" && fail "a passing sweep's report has a chart"

# Merge writes the very report the sweep did, from three shards.
for i in 1 2 3; do
  "$dbgsim" sweep "$picker" --seeds 1..60 --swarm --mutant no-lease-expiry --shard "$i/3" \
    --results "$tmp/s$i.json" >/dev/null
done
"$dbgsim" merge "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json" --report "$tmp/merge.html" >/dev/null
cmp -s "$tmp/merge.html" "$tmp/sweep.html" || fail "merge --report differs from sweep --report"
# ...and refuses, naming it, when the scenario the results name cannot be read.
sed "s|$picker|$tmp/gone.yaml|" "$tmp/all.json" >"$tmp/gone.json"
"$dbgsim" merge "$tmp/gone.json" --report "$tmp/gone.html" >/dev/null 2>"$tmp/gone.err"
[ $? = 2 ] || fail "merge --report without its scenario should exit 2"
grep -q "gone.yaml" "$tmp/gone.err" || fail "the missing scenario is not named: $(cat "$tmp/gone.err")"

# run --report: one section per failed scenario. A scenario whose name and file name are markup
# fails alongside: in the DOM they are text, and no element comes of them.
mkdir -p "$tmp/lib"
cp "$src/scenarios/s06-disconnect-during-partition.yaml" "$src/scenarios/s20-attached-target-outlives-its-handle.yaml" "$tmp/lib/"
sed 's/^name: .*/name: "<script>alert(1)<\/script> \& <b>bold<\/b>"/' \
  "$src/scenarios/s06-disconnect-during-partition.yaml" >"$tmp/lib/<i>x<i>.yaml"
"$dbgsim" run "$tmp/lib" --mutant release-on-ack --report "$tmp/run.html" >"$tmp/run.txt"
[ $? = 1 ] || fail "run under release-on-ack should fail"
read -r total passed nfailed < <(sed -n 's/^\([0-9]*\) scenarios, \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2 \3/p' "$tmp/run.txt")
[ "$nfailed" -ge 2 ] || fail "wanted two failed scenarios or more: $(cat "$tmp/run.txt")"
dom "$tmp/run.html" >"$tmp/run.dom"
check_report "$tmp/run.html" "$tmp/run.dom" "$total" "$passed" "$nfailed" "$nfailed" 0
grep -qi '<script\|<b>bold\|<i>x' "$tmp/run.dom" && fail "markup from a scenario file became elements"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' "$tmp/run.dom" ||
  fail "the hostile scenario name is not shown as text"
grep -qF '&lt;i&gt;x&lt;i&gt;.yaml' "$tmp/run.dom" || fail "the hostile file name is not shown as text"

finish 'HTML report'
