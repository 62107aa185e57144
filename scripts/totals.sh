# Sourced by the test scripts. last_total FILE: prints "PASSED FAILED SKIPPED" from FILE's
# last line when it is exactly `N passed, N failed, N skipped`, nothing otherwise.
last_total() {
  tail -n 1 "$1" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p'
}
