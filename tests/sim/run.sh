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
# tenant), stops the stack and removes its directory, whatever happens.
# The exit status is the simulator's (2: some API answers were wrong, the
# figures are not valid).
#
# Environment:
#   SIM_KEEP=1     keep the temp directory (logs, database) after the run
#   RETIVO_BUILD   build directory (default <repo>/build)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${RETIVO_BUILD:-$ROOT/build}
SIM=$BUILD/tests/sim/retivo-sim

say() { printf 'sim: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

command -v curl >/dev/null || die "curl is not installed"

# ------------------------------------------------------------------- build
if [ -f "$BUILD/Makefile" ]; then
	make -s -C "$BUILD" -j"$(nproc)" tests/sim/retivo-sim jobs/retivo-admin >/dev/null ||
		die "cannot build $SIM"
fi

if [ -x "$SIM" ]; then
	"$SIM" --selftest >&2 || die "the offline estimators' self-test failed"
fi

# ------------------------------------------------------------------- stack
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port"
}

VAR=$(mktemp -d /tmp/retivo-sim.XXXXXX)
PORT=$(free_port)
STARTED=0

cleanup() {
	local rc=$? pids p lp
	trap - EXIT INT TERM
	if [ "$STARTED" = 1 ]; then
		lp=$(cat "$VAR/run/lighttpd.pid" 2>/dev/null || true)
		pids=
		[ -z "$lp" ] || pids=$(pgrep -P "$lp" 2>/dev/null || true)
		RETIVO_BUILD=$BUILD RETIVO_VAR=$VAR RETIVO_PORT=$PORT "$ROOT/run.sh" stop >/dev/null 2>&1 || true
		# lighttpd stops its FastCGI programs; make sure, by the pids it had.
		for p in $pids; do
			if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
		done
	fi
	if [ "${SIM_KEEP:-0}" = 1 ]; then
		say "kept $VAR"
	else
		rm -rf "$VAR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting a stack in $VAR on port $PORT"
STARTED=1
if ! RETIVO_BUILD=$BUILD RETIVO_VAR=$VAR RETIVO_PORT=$PORT "$ROOT/run.sh" >"$VAR/start.log" 2>&1; then
	cat "$VAR/start.log" >&2
	die "the stack did not start"
fi
[ -x "$SIM" ] || die "no $SIM after the build"
"$SIM" --selftest >/dev/null || die "the offline estimators' self-test failed"

# The environment the API tests get from ./run.sh test (api_tests, stack_env).
export RETIVO_CONFIG=$VAR/retivo.conf RETIVO_VAR=$VAR RETIVO_PORT=$PORT
export RETIVO_BASE_URL=http://127.0.0.1:$PORT
export RETIVO_ADMIN=$BUILD/jobs/retivo-admin
export RETIVO_SQL="mariadb --no-defaults --user=root --socket=$VAR/run/mysqld.sock -N retivo"

rc=0
"$SIM" "$@" || rc=$?
exit "$rc"
