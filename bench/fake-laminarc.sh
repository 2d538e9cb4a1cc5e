#!/bin/sh
# The benchmark's laminarc: as cheap to start as the real client (a small binary, not a Node
# process like test/fixtures/fake-laminarc.js), and as slow to answer as a real `laminarc queue`
# against an idle laminard (~18 ms, ../../shared/reference/laminarc.md).
#
#   laminarc queue JOB k=v…   waits $BENCH_LAMINARC_DELAY seconds (default 0.018), appends the
#                             value of its `delivery=` argument (or $BENCH_DELIVERY) as one line to
#                             $BENCH_CALLS, prints `JOB:PID`, exit 0
#
# adnanh/webhook runs the same script (bench/hooks.json.template) so both sides record alike.

delivery="${BENCH_DELIVERY:-}"
for arg in "$@"; do
  case "$arg" in
    delivery=*) delivery="${arg#delivery=}" ;;
  esac
done
sleep "${BENCH_LAMINARC_DELAY:-0.018}"
# One short line with O_APPEND: parallel calls never interleave.
printf '%s\n' "$delivery" >> "$BENCH_CALLS"
printf '%s:%s\n' "${2:-job}" "$$"
