#!/usr/bin/env bash
# tests/bench/run.sh — throughput and latency figures for the External
# Actions API and for event ingestion against a hello-world FastCGI
# ceiling and a storage ceiling. Not a pass/fail test:
# it prints figures, and says loudly when a run had errors (then the figures
# are not valid and it exits 2).
#
#   tests/bench/run.sh
#
# It builds if needed, starts a throwaway stack of its own (temp RETIVO_VAR,
# free random port) with ../../run.sh, adds build/tests/bench/hello.fcgi
# under the same lighttpd at /hello, and measures with wrk:
#   a) GET  /hello                        the ceiling
#   b) GET  /api/external/action-types    authenticated list of 3 types
#   c) POST /api/external/action-types    a new action type per request
#   d) POST /api/external/events/emit     one custom event per request
#   e) POST /api/external/events          batches of 100 custom events
#   f) build/tests/bench/insert_ceiling   the storage ceiling: multi-row
#      INSERTs of 100 events straight into MariaDB's events table from
#      BENCH_INSERT_CONNECTIONS connections, no HTTP in between
# then stops its stack and removes its directory, whatever happens (the
# stack, ceiling and wrk helpers are tests/bench/lib.sh's). The
# demo tenant goes to the custom plan with limits no run reaches (requests,
# tracked events, tracked users), so the figures never include 429s or
# 402s; any non-2xx answer or socket error is reported loudly, and the
# exit status is then 2.
#
# The event targets draw user ids from a pool of BENCH_USERS, so users are
# reused as in real traffic (events.lua). Every answer must be 200; the
# "accepted" counts wrk saw are summed and compared with the rows the
# events table gained over the measured run (requests still in flight when
# wrk stops may add up to one request's events per connection). The
# targets the issue set: emit at >= 0.4 of the ceiling's requests/s,
# batches at >= 30,000 events/s; they are printed, not enforced.
#
# Besides req/s and latency it prints the CPU each part of the stack used
# during each measured run, the database statements per request, and peak
# RSS. wrk shares the host: on a small machine it takes CPU from the stack.
#
# Environment:
#   BENCH_DURATION     measured time per target, wrk syntax (default 10s)
#   BENCH_WARMUP       unmeasured warm-up per target (default 2s)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_CONNECTIONS  wrk connections (default 32)
#   BENCH_USERS        distinct user ids the event targets use (default 1000)
#   BENCH_INSERT_CONNECTIONS  connections of the storage ceiling (default 4)
#   BENCH_ACTION_TYPES=0  skip the action-types targets (b, c)
#   BENCH_BREAKDOWN=1  also measure the authenticated GET's path with fewer
#                      database statements (no key: 0; unknown key: 1; key
#                      without the scope: 2), to price one statement
#   BENCH_KEEP=1       keep the temp directory (logs) after the run
#   RETIVO_BUILD       build directory (default <repo>/build)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
CONNS=${BENCH_CONNECTIONS:-32}
USERS=${BENCH_USERS:-1000}
INSERT_CONNS=${BENCH_INSERT_CONNECTIONS:-4}
BATCH=100

need_tools wrk curl

# ------------------------------------------------------------------- build
# ./run.sh builds the whole tree (the bench programs included); when the
# tree is already configured, make sure the benchmark's own programs are
# current.
build_programs tests/bench/hello.fcgi tests/bench/insert_ceiling

# ------------------------------------------------------------------- stack
stack_init retivo-bench
hello_ceiling_conf tests/bench/run.sh
stack_start
need_programs tests/bench/hello.fcgi tests/bench/insert_ceiling

KEY=$(demo_field live_key)
TENANT=$(demo_field tenant_id)
PARTNER=$(demo_field partner_tenant_id)
PARTNER_KEY=$(demo_field partner_key)
[ -n "$KEY" ] && [ -n "$TENANT" ] && [ -n "$PARTNER" ] && [ -n "$PARTNER_KEY" ] ||
	die "no live_key/tenant_id/partner_key in $VAR/demo.json"

# The demo tenant is on growth (10,000 requests/hour): far too few. Move it
# (and the partner, used by BENCH_BREAKDOWN) to the custom plan, whose limit
# is the tenant's own override: set it near INT UNSIGNED's maximum, so that
# no duration reaches it. Without the override custom allows 1,000,000/hour.
# The same for tracked events per hour, and the tracked-user limit (1,000
# by default) goes far above the user pool.
RL_OVERRIDE=4000000000
USER_LIMIT=100000000
for t in "$TENANT" "$PARTNER"; do
	admin tenant plan --tenant "$t" --plan custom >"$VAR/plan.json" 2>&1 ||
		die "cannot change the plan of tenant $t: $(cat "$VAR/plan.json")"
done
sql "UPDATE tenants SET api_limit_override = $RL_OVERRIDE, track_limit_override = $RL_OVERRIDE,
	tracked_user_limit = $USER_LIMIT WHERE id IN ('$TENANT', '$PARTNER')" ||
	die "cannot set the custom plan's limit overrides"

# ------------------------------------------------------------------ checks
hello_check

AT_URL=$BASE/api/external/action-types
for name in grant_points send_coupon notify_slack; do
	api_expect 201 POST /api/external/action-types \
		"{\"name\":\"$name\",\"description\":\"bench seed\",\"provider\":\"bench\",\"parameters_schema\":{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\",\"minimum\":1}}},\"delivery_webhook\":\"https://hooks.example.com/bench\"}"
done

rl_header() { # header name, from one authenticated GET
	curl -s -D - -o /dev/null -H "Authorization: Bearer $KEY" "$AT_URL" |
		tr -d '\r' | sed -n "s/^$1: *//Ip"
}
RL_LIMIT=$(rl_header X-RateLimit-Limit)
say "demo tenant $TENANT on the custom plan: ${RL_LIMIT:-?} requests/hour"
[ "$RL_LIMIT" = "$RL_OVERRIDE" ] ||
	say "WARNING: the API reports a limit of ${RL_LIMIT:-?}/hour, not $RL_OVERRIDE: a long run may see 429s"

EMIT_URL=$BASE/api/external/events/emit
BATCH_URL=$BASE/api/external/events
api_expect 200 POST /api/external/events/emit '{"type":"custom.bench.tick","user_id":"u-0","data":{"n":1}}'
grep -q '"accepted": *1' "$VAR/api.out" || die "emitting one event answered: $(cat "$VAR/api.out")"
TRACK_LIMIT=$(tr -d '\r' <"$VAR/api.hdr" | sed -n 's/^X-RateLimit-Limit: *//Ip')
[ "$TRACK_LIMIT" = "$RL_OVERRIDE" ] ||
	say "WARNING: the API reports a track limit of ${TRACK_LIMIT:-?}/hour, not $RL_OVERRIDE: a long run may see 429s"

# ---------------------------------------------------------------- measuring
# "lighttpd fcgi_hello fcgi_external mariadbd busy total" ticks, now.
cpu_snapshot() {
	local p exe hello=0 ext=0 t
	for p in $(children); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null || true)
		t=$(proc_ticks "$p")
		case "$exe" in
		*/hello.fcgi*) hello=$((hello + t)) ;;
		*/retivo-external.fcgi* | */retivo-events.fcgi*) ext=$((ext + t)) ;;
		esac
	done
	echo "$(proc_ticks "$(lighttpd_pid)") $hello $ext $(proc_ticks "$(mysqld_pid)") $(cpu_totals)"
}

# The status counters db_status (lib.sh) reads, in this order.
DB_VARS="Queries Com_stmt_prepare Innodb_row_lock_waits Innodb_row_lock_time
	Com_select Com_insert Com_update Com_delete Com_begin Com_commit Com_rollback
	Com_admin_commands Handler_write Handler_update Innodb_data_fsyncs"

# Rows of the bench tenant's events table, once it stops changing: requests
# still in flight when wrk stops are finished by lighttpd and the FastCGI
# programs, so wait until two reads 300 ms apart agree (at most ~6 s).
settled_events() {
	local a b i
	a=$(sql "SELECT COUNT(*) FROM events WHERE tenant_id = '$TENANT'")
	for i in $(seq 1 20); do
		sleep 0.3
		b=$(sql "SELECT COUNT(*) FROM events WHERE tenant_id = '$TENANT'")
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$b"
}

# A wrk duration (10s, 2m, 1h, or plain seconds) in whole seconds, >= 1.
duration_s() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "m") n *= 60; else if (u == "h") n *= 3600
		n = int(n + 0.5); printf "%d", (n < 1 ? 1 : n) }'
}

ROWS=()
CPU_ROWS=()
DB_ROWS=()
STMT_ROWS=()
EV_ROWS=()
CEILING_ROW=
ERRORS=()
WARNINGS=()
warn_host_busy

# bench LABEL URL KIND EXPECT — KIND is plain, auth, post (the live key),
# badkey (well-formed, unknown), partner (the partner key, which lacks the
# scope), emit or batch (custom events with the live key, events.lua);
# EXPECT is the status every response must have: a 2xx one, or for the
# breakdown targets the 4xx they answer with by design.
bench() {
	local label=$1 url=$2 kind=$3 expect=$4 out args_w args_m before after dbb dba code
	local scripted=0 epr=0 ev_before=0 ev_after=0 wu_non2xx
	out=$VAR/wrk-$((${#ROWS[@]} + 1)).txt
	case "$kind" in
	plain) args_w=(); args_m=() ;;
	auth) args_w=(-H "Authorization: Bearer $KEY"); args_m=("${args_w[@]}") ;;
	badkey)
		args_w=(-H "Authorization: Bearer rt_live_$(printf '%*s' $((${#KEY} - 8)) '' | tr ' ' 0)")
		args_m=("${args_w[@]}")
		;;
	partner) args_w=(-H "Authorization: Bearer $PARTNER_KEY"); args_m=("${args_w[@]}") ;;
	post)
		args_w=(-s "$HERE/post_action_type.lua" "$url" -- "$KEY" w)
		args_m=(-s "$HERE/post_action_type.lua" "$url" -- "$KEY" m)
		scripted=1
		;;
	emit | batch)
		args_w=(-s "$HERE/events.lua" "$url" -- "$KEY" "$kind" "$USERS" "$BATCH")
		args_m=("${args_w[@]}")
		scripted=1
		if [ "$kind" = emit ]; then epr=1; else epr=$BATCH; fi
		;;
	esac
	[ "$scripted" = 1 ] || { args_w+=("$url"); args_m+=("$url"); }
	if [ "$scripted" = 0 ]; then
		code=$(curl -s -o "$out.curl" -w '%{http_code}' "${args_m[@]:0:${#args_m[@]}-1}" "$url")
		[ "$code" = "$expect" ] || die "$label answered $code, expected $expect: $(cat "$out.curl")"
	fi
	say "$label: warm-up $WARMUP, then $DURATION"
	wrk_run "$WARMUP" "$CONNS" "$out.warmup" "${args_w[@]}"
	wu_non2xx=$(wrk_non2xx "$out.warmup")
	if [ "$expect" -lt 400 ] && [ "$wu_non2xx" != 0 ]; then
		WARNINGS+=("$label: $wu_non2xx non-2xx answers during the (unmeasured) warm-up")
	fi
	if [ "$epr" -gt 0 ]; then ev_before=$(settled_events); fi
	before=$(cpu_snapshot)
	dbb=$(db_status)
	wrk_measure "$DURATION" "$CONNS" "$out" "${args_m[@]}"
	after=$(cpu_snapshot)
	dba=$(db_status)

	local rps reqs p50 p99 non2xx sockerr secs
	wrk_parse "$out"
	rps=$WRK_RPS reqs=$WRK_REQS secs=$WRK_SECS p50=$WRK_P50 p99=$WRK_P99
	non2xx=$WRK_NON2XX sockerr=$WRK_SOCKERR
	ROWS+=("$label|$rps|$p50|$p99|$non2xx|$sockerr|$reqs|$expect|$epr")
	if [ "$epr" -gt 0 ]; then
		# What wrk saw answered against what the events table gained.
		local lua stored
		ev_after=$(settled_events)
		stored=$((ev_after - ev_before))
		lua=$(sed -n 's/^events\.lua: //p' "$out")
		[ -n "$lua" ] || die "no events.lua summary in wrk's output: $(cat "$out")"
		local responses non200 accepted duplicates unparsed
		eval "$(tr ' ' '\n' <<<"$lua" | grep -E '^(responses|non200|accepted|duplicates|unparsed)=[0-9]+$')"
		EV_ROWS+=("$label|$responses|$non200|$accepted|$duplicates|$unparsed|$stored|$epr")
		if [ "$non200" != 0 ] || [ "$unparsed" != 0 ] || [ "$duplicates" != 0 ]; then
			ERRORS+=("$label: $non200 answers other than 200, $unparsed without an accepted count, $duplicates duplicates")
		fi
		if [ "$stored" -lt "$accepted" ] || [ "$stored" -gt $((accepted + CONNS * epr)) ]; then
			ERRORS+=("$label: wrk saw $accepted events accepted but the events table gained $stored (allowed: up to $((CONNS * epr)) more, from requests in flight at the end)")
		fi
	fi
	# wrk counts statuses over 399 as non-2xx: a 4xx target must have one
	# for every request (the access log below shows which).
	if [ "$sockerr" != 0 ] || { [ "$expect" -lt 400 ] && [ "$non2xx" != 0 ]; } ||
		{ [ "$expect" -ge 400 ] && [ "$non2xx" != "$reqs" ]; }; then
		ERRORS+=("$label: $non2xx non-2xx responses (expected status $expect) and $sockerr socket errors out of $reqs requests")
	fi

	record_usage "$label" "$before" "$after" "$dbb" "$dba" "$out" "$reqs" "$secs"
}

# record_usage LABEL CPU_BEFORE CPU_AFTER DB_BEFORE DB_AFTER OUT REQS SECS —
# the CPU and database rows of one measured run; OUT.t0 and OUT.t1 hold the
# output of times before and after it (the client's CPU: wrk, or the
# storage ceiling's processes).
record_usage() {
	local label=$1 before=$2 after=$3 dbb=$4 dba=$5 out=$6 reqs=$7 secs=$8

	# CPU over the measured run, as % of one core.
	CPU_ROWS+=("$(awk -v lab="$label" -v tck="$CLK_TCK" -v ncpu="$NCPU" \
		-v b="$before" -v a="$after" -v w0="$(children_cpu "$out.t0")" \
		-v w1="$(children_cpu "$out.t1")" 'BEGIN {
		split(b, x, " "); split(a, y, " ")
		tot = y[6] - x[6]; if (tot <= 0) tot = 1
		# Wall time from the all-CPU tick total.
		wall = tot / ncpu
		for (i = 1; i <= 5; i++) d[i] = (y[i] - x[i]) * 100 / wall
		wrk = (w1 - w0) * tck * 100 / wall
		other = d[5] - d[1] - d[2] - d[3] - d[4] - wrk
		if (other < 0) other = 0
		printf "%s|%.0f|%.0f|%.0f|%.0f|%.0f|%.0f|%.0f", lab, d[1], d[2] + d[3], d[4], wrk, other, d[5], ncpu * 100 - d[5]
	}')")

	# Database work per request over the measured run (the status queries
	# themselves add a handful of statements).
	DB_ROWS+=("$(awk -v lab="$label" -v n="$reqs" -v s="$secs" -v b="$dbb" -v a="$dba" 'BEGIN {
		split(b, x, " "); split(a, y, " "); if (n <= 0) n = 1; if (s <= 0) s = 1
		printf "%s|%.2f|%d|%.0f|%d", lab, (y[1] - x[1]) / n, y[2] - x[2], (y[3] - x[3]) / s, y[4] - x[4]
	}')")
	# Statements by kind and rows written per request, data fsyncs/s.
	STMT_ROWS+=("$(awk -v lab="$label" -v n="$reqs" -v s="$secs" -v b="$dbb" -v a="$dba" 'BEGIN {
		split(b, x, " "); split(a, y, " "); if (n <= 0) n = 1; if (s <= 0) s = 1
		printf "%s", lab
		for (i = 5; i <= 14; i++) printf "|%.2f", (y[i] - x[i]) / n
		printf "|%.0f", (y[15] - x[15]) / s
	}')")
}

# ceiling_run SECONDS OUT — one run of insert_ceiling, its output in OUT.
ceiling_run() {
	"$BUILD/tests/bench/insert_ceiling" -S "$VAR/run/mysqld.sock" -u root -D retivo \
		-c "$INSERT_CONNS" -t "$1" -n "$BATCH" "$TENANT" >"$2" 2>&1 ||
		die "insert_ceiling failed: $(cat "$2")"
}

# storage_ceiling — insert_ceiling for WARMUP unmeasured, then for DURATION.
storage_ceiling() {
	local label="storage: INSERT $BATCH rows x$INSERT_CONNS" out=$VAR/insert.txt
	local before after dbb dba secs
	local outbox_id connections seconds statements rows rows_per_s p50_ms p99_ms stored
	secs=$(duration_s "$DURATION")
	say "$label: warm-up $(duration_s "$WARMUP")s, then ${secs}s"
	ceiling_run "$(duration_s "$WARMUP")" "$out.warmup"
	before=$(cpu_snapshot)
	dbb=$(db_status)
	times >"$out.t0"
	ceiling_run "$secs" "$out"
	times >"$out.t1"
	after=$(cpu_snapshot)
	dba=$(db_status)
	eval "$(tr ' ' '\n' <"$out" |
		grep -E '^(outbox_id|connections|seconds|statements|rows|rows_per_s|p50_ms|p99_ms)=[0-9.]+$')"
	[ -n "${rows_per_s:-}" ] || die "cannot read insert_ceiling's output: $(cat "$out")"
	stored=$(sql "SELECT COUNT(*) FROM events WHERE tenant_id = '$TENANT' AND outbox_id = $outbox_id")
	if [ "$stored" != "$rows" ]; then
		ERRORS+=("$label: insert_ceiling counted $rows rows but the events table holds $stored")
	fi
	CEILING_ROW="$label|$(awk -v n="$statements" -v s="$seconds" 'BEGIN { printf "%.1f", n / s }')|$rows_per_s|$p50_ms|$p99_ms|$rows|$stored"
	record_usage "$label" "$before" "$after" "$dbb" "$dba" "$out" "$statements" "$seconds"
}

bench "GET /hello" "$BASE/hello" plain 200
if [ "${BENCH_ACTION_TYPES:-1}" != 0 ]; then
	bench "GET /api/external/action-types" "$AT_URL" auth 200
	bench "POST /api/external/action-types" "$AT_URL" post 201
fi
bench "POST /api/external/events/emit" "$EMIT_URL" emit 200
bench "POST /api/external/events (100)" "$BATCH_URL" batch 200
if [ "${BENCH_BREAKDOWN:-0}" = 1 ]; then
	# The authenticated GET minus one database statement at a time: no key
	# (no statement), an unknown key (the key lookup), a key without the
	# scope (lookup and rate-limit upsert, then 403).
	bench "GET action-types, no key (401)" "$AT_URL" plain 401
	bench "GET action-types, bad key (401)" "$AT_URL" badkey 401
	bench "GET action-types, no scope (403)" "$AT_URL" partner 403
fi

# Peak RSS (VmHWM) of what served the run, read before the stack stops.
EXT_N=0 EXT_MAX=0 EXT_SUM=0 HELLO_MAX=0 EVT_N=0 EVT_MAX=0 EVT_SUM=0
for p in $(children); do
	exe=$(readlink "/proc/$p/exe" 2>/dev/null || true)
	kb=$(vmhwm "$p")
	[ -n "$kb" ] || continue
	case "$exe" in
	*/retivo-external.fcgi*)
		EXT_N=$((EXT_N + 1)) EXT_SUM=$((EXT_SUM + kb))
		if [ "$kb" -gt "$EXT_MAX" ]; then EXT_MAX=$kb; fi
		;;
	*/retivo-events.fcgi*)
		EVT_N=$((EVT_N + 1)) EVT_SUM=$((EVT_SUM + kb))
		if [ "$kb" -gt "$EVT_MAX" ]; then EVT_MAX=$kb; fi
		;;
	*/hello.fcgi*) if [ "$kb" -gt "$HELLO_MAX" ]; then HELLO_MAX=$kb; fi ;;
	esac
done
MYSQLD_KB=$(vmhwm "$(mysqld_pid)")
LIGHTTPD_KB=$(vmhwm "$(lighttpd_pid)")
RL_REMAINING=$(rl_header X-RateLimit-Remaining)
AT_COUNT=$(sql "SELECT COUNT(*) FROM action_types WHERE tenant_id = '$TENANT'" 2>/dev/null || echo '?')
TRACKED=$(sql "SELECT tracked_users FROM tenants WHERE id = '$TENANT'" 2>/dev/null || echo '?')
USERS_ROWS=$(sql "SELECT COUNT(*) FROM users WHERE tenant_id = '$TENANT'" 2>/dev/null || echo '?')

# Last, as it grows the events table by far the most.
storage_ceiling

# Status codes from the access log (warm-up and measured runs together).
sleep 1
status_codes() { # request line prefix
	awk -v m="\"$1 " 'index($0, m) { n = split($0, f, "\" "); split(f[2], s, " "); c[s[1]]++ }
		END { for (k in c) printf "%s%s=%d", (o++ ? " " : ""), k, c[k] }' "$VAR/log/access.log" 2>/dev/null
}

# ------------------------------------------------------------------- report
CEIL=$(cut -d'|' -f2 <<<"${ROWS[0]}")

echo
report_head "Retivo benchmark"
echo "host ${IDLE_BUSY}% busy before the run (of all CPUs); wrk runs on the same host"
echo "wrk: $THREADS threads, $CONNS connections, $DURATION measured after $WARMUP warm-up per target"
echo
printf '%-34s %6s %10s %10s %9s %9s %8s %6s\n' target status req/s events/s p50 p99 non-2xx ratio
for row in "${ROWS[@]}"; do
	IFS='|' read -r label rps p50 p99 non2xx sockerr reqs expect epr <<<"$row"
	if [ "$epr" -gt 0 ]; then
		eps=$(awk -v r="$rps" -v e="$epr" 'BEGIN { printf "%.0f", r * e }')
	else
		eps=-
	fi
	printf '%-34s %6s %10.0f %10s %7sms %7sms %8s %6.2f' "$label" "$expect" "$rps" "$eps" "$p50" "$p99" \
		"$non2xx" "$(awk -v a="$rps" -v c="$CEIL" 'BEGIN { print (c > 0 ? a / c : 0) }')"
	if [ "$sockerr" != 0 ]; then printf '  (%s socket errors)' "$sockerr"; fi
	if [ "$sockerr" != 0 ] || { [ "$expect" -lt 400 ] && [ "$non2xx" != 0 ]; } ||
		{ [ "$expect" -ge 400 ] && [ "$non2xx" != "$reqs" ]; }; then
		printf '  <-- ERRORS'
	fi
	printf '\n'
done
IFS='|' read -r c_label c_sps c_rps c_p50 c_p99 c_rows c_stored <<<"$CEILING_ROW"
printf '%-34s %6s %10.0f %10.0f %7sms %7sms %8s %6s\n' "$c_label" - "$c_sps" "$c_rps" "$c_p50" "$c_p99" - -
echo "  (the storage row: statements/s of $BATCH-row INSERTs from $INSERT_CONNS connections, no HTTP;"
echo "   p50/p99 per statement)"

# The issue's targets, from the rows above.
row_of() { # label prefix -> the ROWS entry
	local r
	for r in "${ROWS[@]}"; do
		case "$r" in "$1"*) echo "$r"; return ;; esac
	done
}
IFS='|' read -r _ EMIT_RPS EMIT_P50 EMIT_P99 _ <<<"$(row_of 'POST /api/external/events/emit|')"
IFS='|' read -r _ BATCH_RPS BATCH_P50 BATCH_P99 _ <<<"$(row_of 'POST /api/external/events (')"
echo
echo "Event ingestion against the targets:"
awk -v er="$EMIT_RPS" -v ep50="$EMIT_P50" -v ep99="$EMIT_P99" -v br="$BATCH_RPS" \
	-v bp50="$BATCH_P50" -v bp99="$BATCH_P99" -v b="$BATCH" -v c="$CEIL" -v s="$c_rps" 'BEGIN {
	r = (c > 0 ? er / c : 0); be = br * b
	printf "  emit    %7.0f events/s (= req/s), p50 %sms p99 %sms: %.2f of the ceiling'"'"'s %.0f req/s, target >= 0.40: %s\n",
	    er, ep50, ep99, r, c, (r >= 0.40 ? "MET" : "BELOW")
	printf "  batch   %7.0f events/s (%.0f req/s x %d), p50 %sms p99 %sms: target >= 30000 events/s: %s\n",
	    be, br, b, bp50, bp99, (be >= 30000 ? "MET" : "BELOW")
	printf "  storage %7.0f events/s of plain INSERTs: emit is %.3f of it, batches %.2f\n",
	    s, (s > 0 ? er / s : 0), (s > 0 ? be / s : 0)
}'
echo
echo "Events accepted (wrk, measured run) against rows the events table gained:"
printf '%-34s %10s %8s %10s %10s %10s\n' target responses non-200 accepted stored difference
for row in "${EV_ROWS[@]}"; do
	IFS='|' read -r label responses non200 accepted duplicates unparsed stored epr <<<"$row"
	printf '%-34s %10s %8s %10s %10s %+10d\n' "$label" "$responses" "$non200" "$accepted" "$stored" \
		$((stored - accepted))
done
printf '%-34s %10s %8s %10s %10s %+10d\n' "$c_label" - - "$c_rows" "$c_stored" $((c_stored - c_rows))
echo "  (a positive difference up to $CONNS x events per request comes from requests still in"
echo "   flight when wrk stopped: stored, but their answers not counted)"
echo "Tracked users of the bench tenant: $TRACKED (users rows: $USERS_ROWS, pool of $USERS ids)"
echo
echo "CPU during each measured run, % of one core ($NCPU cores = $((NCPU * 100))%; client = wrk, or"
echo "the storage ceiling's processes):"
printf '%-34s %9s %7s %9s %6s %14s %7s %6s\n' target lighttpd fcgi mariadbd client 'kernel+other' busy idle
for row in "${CPU_ROWS[@]}"; do
	IFS='|' read -r label l f m w o b i <<<"$row"
	printf '%-34s %8s%% %6s%% %8s%% %5s%% %13s%% %6s%% %5s%%\n' "$label" "$l" "$f" "$m" "$w" "$o" "$b" "$i"
done
echo
echo "MariaDB during each measured run:"
printf '%-34s %14s %10s %15s %13s\n' target statements/req prepares row-lock-waits/s lock-wait-ms
for row in "${DB_ROWS[@]}"; do
	IFS='|' read -r label q p w t <<<"$row"
	printf '%-34s %14s %10s %15s %13s\n' "$label" "$q" "$p" "$w" "$t"
done
echo
echo "MariaDB statements and row writes per request (storage: per statement), data fsyncs/s:"
printf '%-34s %6s %6s %6s %6s %6s %6s %6s %6s %7s %7s %7s\n' target select insert update delete \
	begin commit rollbk admin h-write h-updt fsync/s
for row in "${STMT_ROWS[@]}"; do
	IFS='|' read -r label a b c d e f g h i j k <<<"$row"
	printf '%-34s %6s %6s %6s %6s %6s %6s %6s %6s %7s %7s %7s\n' "$label" "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i" "$j" "$k"
done
echo "  (admin: Com_admin_commands, e.g. the ping before each transaction; h-write, h-updt:"
echo "   Handler_write and Handler_update, rows inserted and updated)"
echo
echo "Peak RSS (VmHWM) after the run:"
echo "  retivo-external.fcgi  max $(kib "$EXT_MAX"), sum $(kib "$EXT_SUM") over $EXT_N processes"
echo "  retivo-events.fcgi    max $(kib "$EVT_MAX"), sum $(kib "$EVT_SUM") over $EVT_N processes"
echo "  hello.fcgi            max $(kib "$HELLO_MAX")"
echo "  lighttpd              $(kib "$LIGHTTPD_KB")"
echo "  mariadbd              $(kib "$MYSQLD_KB")"
echo
echo "Rate limit: ${RL_REMAINING:-?} of ${RL_LIMIT:-?} requests left this hour; $AT_COUNT action types registered"
echo "Status codes in the access log (warm-up + measured; lighttpd may not have flushed the last lines):"
echo "  GET /hello                       $(status_codes 'GET /hello')"
echo "  GET /api/external/action-types   $(status_codes 'GET /api/external/action-types')"
echo "  POST /api/external/action-types  $(status_codes 'POST /api/external/action-types')"
echo "  POST /api/external/events/emit   $(status_codes 'POST /api/external/events/emit')"
echo "  POST /api/external/events        $(status_codes 'POST /api/external/events')"

if [ ${#WARNINGS[@]} -gt 0 ]; then
	echo
	echo "Warnings (the measured figures stand, but look at log/fcgi-stderr.log):"
	for w in "${WARNINGS[@]}"; do echo "  $w"; done
	echo "  most frequent lines of log/fcgi-stderr.log:"
	sed 's/^[^ ]* [^ ]* //' "$VAR/log/fcgi-stderr.log" 2>/dev/null | sort | uniq -c | sort -rn |
		head -n 5 | cut -c1-200 | sed 's/^/    /'
fi

if [ ${#ERRORS[@]} -gt 0 ]; then
	{
		report_errors "THIS RUN HAD ERRORS: the figures above are NOT valid" "${ERRORS[@]}"
		echo '!!!'
		echo '!!! last lines of log/fcgi-stderr.log:'
		tail -n 15 "$VAR/log/fcgi-stderr.log" 2>/dev/null | sed 's/^/!!!   /'
		echo '!!! last lines of log/lighttpd-error.log:'
		tail -n 10 "$VAR/log/lighttpd-error.log" 2>/dev/null | sed 's/^/!!!   /'
		report_errors_end
	}
	exit 2
fi
