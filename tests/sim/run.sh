#!/usr/bin/env bash
# tests/sim/run.sh — the decision engine's measured quality (issue 6): runs
# tests/sim/retivo-sim (tests/sim/sim.c) against a throwaway stack of its
# own. Not a pass/fail test and not part of ./run.sh test: it prints
# figures (our policy's cumulative reward against uniform random choice,
# the best fixed action and the oracle; reward per window; offline IPS and
# SNIPS estimates from the decision log next to their true values).
#
#   tests/sim/run.sh [retivo-sim options: --rounds N --users N --seed S --window W]
#
# It first runs retivo-sim --selftest (the offline estimators on a
# synthetic log with known propensities; no stack needed), then builds if
# needed, starts a stack (temp RETIVO_VAR, free random port) with
# ../../run.sh, runs the simulator with RETIVO_BASE_URL, RETIVO_ADMIN and
# RETIVO_SQL pointing at it (the simulator creates its own scale-plan
# tenant), stops the stack and removes its directory, whatever happens
# (the stack and build helpers are tests/bench/lib.sh's).
# The exit status is the simulator's (2: some API answers were wrong, the
# figures are not valid).
#
# Environment:
#   SIM_KEEP=1     keep the temp directory (logs, database) after the run
#   RETIVO_BUILD   build directory (default <repo>/build)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAY_PREFIX=sim STACK_KEEP=${SIM_KEEP:-0}
# shellcheck source=tests/bench/lib.sh
. "$HERE/../bench/lib.sh"
SIM=$BUILD/tests/sim/retivo-sim

need_tools curl
build_programs tests/sim/retivo-sim jobs/retivo-admin

if [ -x "$SIM" ]; then
	"$SIM" --selftest >&2 || die "the offline estimators' self-test failed"
fi

stack_init retivo-sim
stack_start
need_programs tests/sim/retivo-sim
"$SIM" --selftest >/dev/null || die "the offline estimators' self-test failed"

# The environment the API tests get from ./run.sh test (api_tests, stack_env).
export RETIVO_CONFIG=$VAR/retivo.conf RETIVO_VAR=$VAR RETIVO_PORT=$PORT
export RETIVO_BASE_URL=$BASE
export RETIVO_ADMIN=$BUILD/jobs/retivo-admin
export RETIVO_SQL="mariadb --no-defaults --user=root --socket=$SOCK -N retivo"

rc=0
"$SIM" "$@" || rc=$?
exit "$rc"
