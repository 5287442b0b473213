# shellcheck shell=bash disable=SC2034 # it sets variables for its callers
# tests/bench/lib.sh — what the measurement scripts share, sourced (not run)
# by tests/bench/run.sh, scores.sh, dispatch.sh, recommend.sh and
# tests/sim/run.sh: a private throwaway stack (temp RETIVO_VAR, free random
# port, started with ../../run.sh and stopped and removed on exit, whatever
# happens), the hello-world FastCGI ceiling under the same lighttpd, a
# tenant of its own with limits no run reaches, API requests that must
# answer a given status, SQL on the stack's MariaDB, wrk runs and the
# parsing of their output, the /proc and timing helpers the reports are
# built from, and the reports' head line and error block. The wrk scripts'
# shared part is wrk_lib.lua beside it.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"     (after set -euo pipefail)
#
# Sourcing it defines functions and sets ROOT (the source tree), BUILD
# (RETIVO_BUILD, default <ROOT>/build), CLK_TCK, NCPU, THREADS (BENCH_THREADS,
# default 2) and WRK_TIMEOUT; it starts nothing. Set SAY_PREFIX (default
# "bench") before sourcing for another prefix on messages, and STACK_KEEP
# (default BENCH_KEEP) to 1 to keep the temp directory after the run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${RETIVO_BUILD:-$ROOT/build}
SAY_PREFIX=${SAY_PREFIX:-bench}
STACK_KEEP=${STACK_KEEP:-${BENCH_KEEP:-0}}
THREADS=${BENCH_THREADS:-2}
WRK_TIMEOUT=5s
CLK_TCK=$(getconf CLK_TCK)
NCPU=$(nproc)

# say MESSAGE... — one line on stderr, with the script's prefix.
say() { printf '%s: %s\n' "$SAY_PREFIX" "$*" >&2; }
# die MESSAGE... — say it and exit 1 (the EXIT trap cleans up).
die() { say "$*"; exit 1; }

# need_tools TOOL... — die unless each of wrk, curl (the ones named) is on PATH.
need_tools() {
	local t
	for t in "$@"; do
		case "$t" in
		wrk) command -v wrk >/dev/null || die "wrk is not installed (Debian package wrk)" ;;
		*) command -v "$t" >/dev/null || die "$t is not installed" ;;
		esac
	done
}

# build_programs TARGET... — when BUILD is configured, make the named
# targets (paths relative to BUILD) current; dies with make's output when
# that fails. An unconfigured BUILD is left to ../../run.sh, which builds
# everything when the stack starts.
build_programs() {
	local log
	[ -f "$BUILD/Makefile" ] || return 0
	log=$(mktemp /tmp/retivo-bench-make.XXXXXX)
	if ! make -s -C "$BUILD" -j"$NCPU" "$@" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		die "cannot build $* in $BUILD"
	fi
	rm -f "$log"
}

# need_programs PATH... — die unless each (relative to BUILD) is executable.
need_programs() {
	local p
	for p in "$@"; do
		[ -x "$BUILD/$p" ] || die "no $BUILD/$p after the build"
	done
}

# ------------------------------------------------------------------- stack
# free_port — a TCP port nothing listens on at 127.0.0.1, on stdout.
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

# stack_init NAME — picks the stack's place and port: VAR (a new
# /tmp/NAME.XXXXXX), PORT, BASE (its URL), SOCK (its MariaDB socket), and
# installs the traps that stop and remove it on exit, interrupt or
# termination. Nothing is started yet. A script that has more to stop
# (a job, a receiver) defines stack_on_exit, called first.
stack_init() {
	VAR=$(mktemp -d "/tmp/$1.XXXXXX")
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	SOCK=$VAR/run/mysqld.sock
	STACK_STARTED=0
	trap stack_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# stack_run ARGS... — ../../run.sh ARGS for this stack (start, stop, job ...).
stack_run() { RETIVO_BUILD=$BUILD RETIVO_VAR=$VAR RETIVO_PORT=$PORT "$ROOT/run.sh" "$@"; }

# admin ARGS... — one retivo-admin run against this stack.
admin() { stack_run job admin "$@"; }

# stack_start [POOL] — starts the stack (with RETIVO_DB_POOL=POOL when
# given; run.sh's default otherwise); its output goes to VAR/start.log,
# shown when it fails, and then the script dies.
stack_start() {
	say "starting a stack in $VAR on port $PORT"
	STACK_STARTED=1
	if [ -n "${1:-}" ]; then
		say "MariaDB InnoDB buffer pool: $1 (BENCH_DB_POOL)"
	fi
	if ! RETIVO_DB_POOL=${1:-${RETIVO_DB_POOL:-}} stack_run >"$VAR/start.log" 2>&1; then
		cat "$VAR/start.log" >&2
		die "the stack did not start"
	fi
}

# lighttpd_pid — our lighttpd's pid ("" when it is not running).
lighttpd_pid() { cat "$VAR/run/lighttpd.pid" 2>/dev/null || true; }
# mysqld_pid — our mariadbd's pid ("" when it is not running).
mysqld_pid() { cat "$VAR/run/mysqld.pid" 2>/dev/null || true; }

# children — the pids of the FastCGI programs our lighttpd spawned, one a line.
children() {
	local lp
	lp=$(lighttpd_pid)
	[ -n "$lp" ] && pgrep -P "$lp" 2>/dev/null || true
}

# stack_cleanup — the EXIT trap: stack_on_exit when defined, then the stack
# stopped (and any FastCGI program lighttpd left, by the pids it had), then
# VAR removed unless STACK_KEEP=1; exits with the script's status.
stack_cleanup() {
	local rc=$? pids p
	trap - EXIT INT TERM
	if declare -F stack_on_exit >/dev/null; then stack_on_exit || true; fi
	if [ "$STACK_STARTED" = 1 ]; then
		pids=$(children)
		stack_run stop >/dev/null 2>&1 || true
		for p in $pids; do
			if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
		done
	fi
	if [ "$STACK_KEEP" = 1 ]; then
		say "kept $VAR"
	else
		rm -rf "$VAR"
	fi
	exit "$rc"
}

# hello_ceiling_conf SCRIPT — before stack_start: has the stack's lighttpd
# serve BUILD/tests/bench/hello.fcgi at /hello (4 processes), the ceiling
# every FastCGI figure is compared with. SCRIPT names the writer in the file.
hello_ceiling_conf() {
	mkdir -p "$VAR/run" "$VAR/log"
	cat >"$VAR/lighttpd-extra.conf" <<EOF
# Written by $1: the hello-world ceiling under the same lighttpd.
\$HTTP["url"] =~ "^/hello" {
  fastcgi.server = ( "/" => ((
    "socket"      => "$VAR/run/hello.sock",
    "bin-path"    => "$BUILD/tests/bench/hello.fcgi",
    "max-procs"   => 4,
    "check-local" => "disable",
  )) )
}
EOF
}

# api_expect STATUS METHOD PATH BODY — one JSON request to BASE/PATH with
# the API key KEY; dies, showing the answer, unless it is STATUS. The
# answer's body is then in VAR/api.out, its headers in VAR/api.hdr.
api_expect() {
	local code
	code=$(curl -s -D "$VAR/api.hdr" -o "$VAR/api.out" -w '%{http_code}' -X "$2" \
		-H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data "$4" "$BASE$3")
	[ "$code" = "$1" ] || die "$2 $3 answered $code: $(cat "$VAR/api.out")"
}

# hello_check — dies unless GET /hello answers 200.
hello_check() {
	local code
	code=$(curl -s -o "$VAR/hello.out" -w '%{http_code}' "$BASE/hello")
	[ "$code" = 200 ] || die "GET /hello answered $code: $(cat "$VAR/hello.out")"
}

# ---------------------------------------------------------------- database
# sql STATEMENTS — run on the stack's retivo database, rows on stdout.
sql() { mariadb --no-defaults --user=root --socket="$SOCK" -N retivo -e "$1"; }
# sql_in — the same with the statements on stdin, in one session.
sql_in() { mariadb --no-defaults --user=root --socket="$SOCK" -N retivo; }

# json_str NAME — the first "NAME": "string" value of the JSON on stdin.
json_str() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" | head -n 1; }
# demo_field NAME — a string field of the demo tenant ../../run.sh seeded.
demo_field() { json_str "$1" <"$VAR/demo.json"; }

# bench_tenant NAME SLUG — creates a standalone tenant on the custom plan
# with a live full-scope key, sets TENANT and KEY, and raises its limits
# (requests, tracked events, tracked users) beyond anything a run does.
bench_tenant() {
	admin tenant create --name "$1" --slug "$2-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')" \
		--plan custom --role standalone >"$VAR/tenant.json" 2>&1 ||
		die "cannot create the tenant: $(cat "$VAR/tenant.json")"
	TENANT=$(json_str id <"$VAR/tenant.json")
	[ -n "$TENANT" ] || die "no tenant id in $(cat "$VAR/tenant.json")"
	admin key create --tenant "$TENANT" --mode live --scopes full --label "$2" \
		>"$VAR/key.json" 2>&1 || die "cannot create a key: $(cat "$VAR/key.json")"
	KEY=$(json_str api_key <"$VAR/key.json")
	[ -n "$KEY" ] || die "no api_key in $(cat "$VAR/key.json")"
	sql "UPDATE tenants SET tracked_user_limit = 4000000000, api_limit_override = 4000000000,
		track_limit_override = 4000000000 WHERE id = '$TENANT'" || die "cannot raise the tenant's limits"
}

# db_status — the global status counters named in DB_VARS (a space- or
# newline-separated list the caller sets), their values space-separated in
# that order, now.
# shellcheck disable=SC2086 # DB_VARS is split into words on purpose
db_status() {
	mariadb --no-defaults --user=root --socket="$SOCK" -N -e \
		"SHOW GLOBAL STATUS WHERE Variable_name IN
		 ($(printf "'%s'," $DB_VARS | sed 's/,$//'))" 2>/dev/null |
		awk -v names="${DB_VARS//[$'\t\n']/ }" '{ v[$1] = $2 } END {
		n = split(names, k, " ")
		for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), v[k[i]] }'
}

# crc_u EXPR — SQL for a 32-bit hash of EXPR as a fraction in [0, 1): the
# generators' stand-in for RAND(), so every run makes the same rows.
crc_u() { echo "(CRC32($1) / 4294967296)"; }

# ------------------------------------------------------------ /proc, clocks
# now_s — seconds since the epoch, with nanoseconds.
now_s() { date +%s.%N; }
# elapsed A B — B - A seconds, one decimal.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# proc_ticks PID — utime+stime ticks of one pid (all threads), 0 when gone.
proc_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	awk '{ print $12 + $13 }' <<<"$s"
}

# cpu_totals — "busy total" ticks of all CPUs since boot (/proc/stat).
cpu_totals() {
	local u n s i w q sq st
	read -r _ u n s i w q sq st _ </proc/stat
	echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st))"
}

# host_busy — busy % of all CPUs over one second, before anything of ours
# runs: other work on the host (a build, another stack's tests) skews every
# figure. warn_host_busy sets IDLE_BUSY to it and warns above 15%.
host_busy() {
	local a b
	a=$(cpu_totals)
	sleep 1
	b=$(cpu_totals)
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
		t = y[2] - x[2]; printf "%.0f", (t > 0 ? (y[1] - x[1]) * 100 / t : 0) }'
}
warn_host_busy() {
	IDLE_BUSY=$(host_busy)
	[ "$IDLE_BUSY" -le 15 ] ||
		say "WARNING: the host is already ${IDLE_BUSY}% busy before the benchmark; figures will be worse"
}

# vmhwm PID, vmrss PID — peak and current resident set in KiB ("" when gone).
vmhwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
vmrss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
# kib KIB — as "N.N MiB".
kib() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# children_cpu FILE — seconds of user+system CPU of reaped children, from
# the output of the times builtin saved in FILE.
children_cpu() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] }
		printf "%.3f", t }' "$1"
}

# ---------------------------------------------------------------------- wrk
# wrk_run DURATION CONNS OUT ARGS... — one unmeasured wrk run (a warm-up)
# with THREADS threads, its output in OUT; dies when wrk fails.
wrk_run() {
	local d=$1 c=$2 out=$3
	shift 3
	wrk -t"$THREADS" -c"$c" -d"$d" --timeout "$WRK_TIMEOUT" "$@" >"$out" 2>&1 ||
		die "wrk failed: $(cat "$out")"
}

# wrk_measure DURATION CONNS OUT ARGS... — the measured run: as wrk_run
# with --latency, and the times builtin's output before and after it in
# OUT.t0 and OUT.t1 (between the two, the reaped children's CPU is wrk's).
wrk_measure() {
	local d=$1 c=$2 out=$3
	shift 3
	times >"$out.t0"
	wrk_run "$d" "$c" "$out" --latency "$@"
	times >"$out.t1"
}

# to_ms LATENCY — a latency as wrk prints it (us, ms, s, m) in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}

# wrk_non2xx FILE — wrk's count of non-2xx/3xx answers in FILE (0 when none).
wrk_non2xx() {
	local n
	n=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$1")
	echo "${n:-0}"
}

# wrk_parse FILE — reads one wrk --latency output: WRK_RPS (requests/s),
# WRK_REQS and WRK_SECS (requests in how many seconds), WRK_P50 and WRK_P99
# (ms), WRK_NON2XX and WRK_SOCKERR (0 when none); dies when FILE holds no
# figures.
wrk_parse() {
	WRK_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$1")
	WRK_REQS=$(awk '/ requests in / { print $1 }' "$1")
	WRK_SECS=$(awk '/ requests in / { sub(/s,$/, "", $4); print $4 }' "$1")
	WRK_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$1")")
	WRK_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$1")")
	WRK_NON2XX=$(wrk_non2xx "$1")
	WRK_SOCKERR=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$1")
	WRK_SOCKERR=${WRK_SOCKERR:-0}
	[ -n "$WRK_RPS" ] && [ -n "$WRK_REQS" ] || die "cannot read wrk's output: $(cat "$1")"
}

# report_head TITLE — the report's first line: title, time, commit, CPUs.
report_head() {
	echo "$1 — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $NCPU CPUs"
}

# report_errors HEADLINE ERROR... — the start of the loud block that says
# the figures are not valid, on stdout: a rule, HEADLINE, one line an
# ERROR; report_errors_end closes it (a caller may print log lines between).
report_errors() {
	local e
	echo
	echo "$BANG_RULE"
	echo "!!! $1"
	shift
	for e in "$@"; do echo "!!!   $e"; done
}
report_errors_end() { echo "$BANG_RULE"; }
BANG_RULE='!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
