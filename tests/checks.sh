# What the command-line tests share (sourced, not run): a scratch directory removed on exit, and
# checks that count failures instead of stopping at the first, so one run reports them all.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
# fail MESSAGE: counts a failed check and says which.
fail() { echo "FAILED: $*" >&2; failures=$((failures + 1)); }
# expect_rc WANT DESCRIPTION -- command...: the command must exit WANT (its output kept in
# $tmp/out and $tmp/err, and shown when it does not).
expect_rc() {
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" = "$want" ] || { fail "$what: exit $rc, wanted $want"; cat "$tmp/out" "$tmp/err" >&2; }
}
# finish WHAT: exits 1 if any check failed, else says that all checks of WHAT passed.
finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures checks failed" >&2
    exit 1
  fi
  echo "all $1 checks passed"
}
