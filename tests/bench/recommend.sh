#!/usr/bin/env bash
# tests/bench/recommend.sh — latency and throughput of POST
# /api/decisions/recommend (issue 6) for a tenant of 100,000 users with
# history, against the hello-world FastCGI ceiling measured in the same run.
# Not a pass/fail test: it prints figures (target: p99 <= 10 ms at 32
# connections), and exits 2 when a run had errors (the figures are then
# not valid).
#
#   tests/bench/recommend.sh
#
# It starts a throwaway stack of its own (temp RETIVO_VAR, free random
# port) with ../../run.sh, adds build/tests/bench/hello.fcgi under the same
# lighttpd at /hello (as tests/bench/run.sh does), creates a tenant on the
# custom plan with its limits raised, and:
#   1. generates BENCH_USERS users (default 100,000) and about 11 events
#      each (~1,100,000) straight into MariaDB with set-based SQL over the
#      SEQUENCE engine (no RAND(): CRC32 hashes of sequence numbers), over
#      the 60 days before now, with last activity spread so that stages
#      differ; users rows are aggregated from the events;
#   2. runs retivo-scores --full once, so stages, scores and risk are real;
#   3. registers 5 action types through the API, and records
#      BENCH_PRIOR (default 3,000) recommend + outcome rounds for random
#      users with tests/sim/retivo-sim --warm, so the arms hold data;
#   4. measures with wrk (BENCH_THREADS threads): GET /hello and POST
#      /api/decisions/recommend for random users (recommend.lua) at 32
#      connections, then both again at 8 (latency when not saturated).
# It prints req/s, p50, p99, the ratio to the ceiling at the same
# concurrency, database statements per request and the peak RSS of the
# decisions FastCGI processes, then stops its stack and removes its
# directory, whatever happens. The stack, tenant and wrk helpers are
# tests/bench/lib.sh's.
#
# Environment:
#   BENCH_USERS        generated users (default 100000)
#   BENCH_EVENTS_PER   mean events per user (default 10)
#   BENCH_PRIOR        prior recommend + outcome rounds (default 3000)
#   BENCH_DURATION     measured time per target, wrk syntax (default 10s)
#   BENCH_WARMUP       unmeasured warm-up per target (default 2s)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_DB_POOL      InnoDB buffer pool (default 1G)
#   BENCH_KEEP=1       keep the temp directory (logs, database) after the run
#   RETIVO_BUILD       build directory (default <repo>/build)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
USERS=${BENCH_USERS:-100000}
PER=${BENCH_EVENTS_PER:-10}
PRIOR=${BENCH_PRIOR:-3000}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
ACTIONS=send_coupon,grant_points,personal_email,checkin_call,feature_tour

for v in USERS PER PRIOR; do
	[[ ${!v} =~ ^[0-9]{1,8}$ ]] || die "BENCH_$v must be a non-negative integer: ${!v}"
done
[ "$USERS" -ge 1 ] && [ "$PER" -ge 1 ] || die "BENCH_USERS and BENCH_EVENTS_PER must be at least 1"
need_tools wrk curl
build_programs tests/bench/hello.fcgi tests/sim/retivo-sim jobs/retivo-scores jobs/retivo-admin

stack_init retivo-bench-recommend
warn_host_busy
hello_ceiling_conf tests/bench/recommend.sh
stack_start "${BENCH_DB_POOL:-1G}"
need_programs tests/bench/hello.fcgi tests/sim/retivo-sim jobs/retivo-scores
bench_tenant "Recommend Bench" recommend-bench
hello_check

# -------------------------------------------------------------- generation
# T is now (whole seconds): the recommend path measures days since last
# activity against the request's clock, and the scores job gets --now T.
EPOCH=$(date -u +%s)
T_ISO=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
T_SQL=$(date -u -d "@$EPOCH" '+%Y-%m-%d %H:%M:%S')
DAY=86400
MAXN=$((4 * PER + 1))
NAMES="'page_viewed','session_started','feature_used','project_created','dashboard_viewed',
	'item_viewed','comment_added','task_completed','report_exported','pricing_viewed','logout',
	'teammate_invited'"

say "generating $USERS users and about $((USERS * PER)) events over the 60 days before $T_ISO"
G0=$(now_s)
# User k: n events (1 .. 4*PER+1, the product of two uniform hashes: mean
# about PER+1, skewed), the last d days before T (a cubed hash: most users
# recent, a tail quiet for up to 60 days), the others spread over up to 45
# days before that.
sql_in >/dev/null <<EOF || die "the generation failed"
CREATE DATABASE bench;
CREATE TABLE bench.u (
	k	INT NOT NULL PRIMARY KEY,
	n	INT NOT NULL,
	t_last	INT NOT NULL,	-- seconds before T
	t_len	INT NOT NULL
) ENGINE=InnoDB;
INSERT INTO bench.u
SELECT seq, 1 + FLOOR($(crc_u "CONCAT('n', seq)") * $(crc_u "CONCAT('m', seq)") * 4 * $PER),
	FLOOR(POW($(crc_u "CONCAT('l', seq)"), 3) * 60 * $DAY),
	1 + FLOOR($(crc_u "CONCAT('s', seq)") * 45 * $DAY)
FROM seq_0_to_$((USERS - 1));
SET SESSION unique_checks = 0, foreign_key_checks = 0;
START TRANSACTION;
INSERT INTO event_outbox (tenant_id, source, event_count, test_mode, created_at)
	VALUES ('$TENANT', 'api', 0, 0, '$T_SQL');
SET @outbox = LAST_INSERT_ID();
INSERT INTO events (tenant_id, user_id, name, kind, source, properties, occurred_at, received_at,
	test_mode, dedupe_key, outbox_id)
SELECT '$TENANT', CONCAT('user-', u.k),
	ELT(1 + FLOOR($(crc_u "CONCAT(u.k, '-', s.seq, 'e')") * 12), $NAMES), 'product', 'api', '{}',
	TIMESTAMPADD(SECOND, -(u.t_last + IF(s.seq = 1, 0, FLOOR($(crc_u "CONCAT(u.k, '-', s.seq)") * u.t_len))), '$T_SQL'),
	TIMESTAMPADD(SECOND, -(u.t_last + IF(s.seq = 1, 0, FLOOR($(crc_u "CONCAT(u.k, '-', s.seq)") * u.t_len))), '$T_SQL'),
	0, NULL, @outbox
FROM bench.u u STRAIGHT_JOIN seq_1_to_$MAXN s ON s.seq <= u.n;
UPDATE event_outbox SET event_count = (SELECT COUNT(*) FROM events WHERE outbox_id = @outbox)
	WHERE id = @outbox;
COMMIT;
INSERT INTO users (tenant_id, user_id, traits, event_count, first_seen_at, last_activity_at,
	created_at, updated_at)
SELECT '$TENANT', user_id, '{}', COUNT(*), MIN(occurred_at), MAX(occurred_at), MIN(occurred_at),
	MAX(occurred_at)
FROM events WHERE tenant_id = '$TENANT' GROUP BY user_id;
UPDATE tenants SET tracked_users = (SELECT COUNT(*) FROM users WHERE tenant_id = '$TENANT')
	WHERE id = '$TENANT';
DROP DATABASE bench;
ANALYZE TABLE events, users;
EOF
G1=$(now_s)
read -r U_COUNT EV_COUNT <<<"$(sql "SELECT (SELECT COUNT(*) FROM users WHERE tenant_id = '$TENANT'),
	(SELECT COUNT(*) FROM events WHERE tenant_id = '$TENANT')")"
[ "$U_COUNT" = "$USERS" ] || die "the users table holds $U_COUNT of the tenant's users, not $USERS"
say "generated $U_COUNT users and $EV_COUNT events in $(elapsed "$G0" "$G1") s"

S0=$(now_s)
stack_run job scores --full --now "$T_ISO" >"$VAR/scores.out" 2>"$VAR/scores.err" || die "retivo-scores failed: $(tail -5 "$VAR/scores.err")"
S1=$(now_s)
say "retivo-scores --full in $(elapsed "$S0" "$S1") s: $(tail -1 "$VAR/scores.out")"
STAGES=$(sql "SELECT GROUP_CONCAT(CONCAT(lifecycle_stage, ' ', c) ORDER BY c DESC SEPARATOR ', ')
	FROM (SELECT lifecycle_stage, COUNT(*) c FROM users WHERE tenant_id = '$TENANT'
	GROUP BY lifecycle_stage) s")
RISKS=$(sql "SELECT GROUP_CONCAT(CONCAT(risk_level, ' ', c) ORDER BY c DESC SEPARATOR ', ')
	FROM (SELECT risk_level, COUNT(*) c FROM users WHERE tenant_id = '$TENANT' GROUP BY risk_level) s")

# ------------------------------------------------------ action types, arms
IFS=, read -r -a ACTION_LIST <<<"$ACTIONS"
for name in "${ACTION_LIST[@]}"; do
	api_expect 201 POST /api/external/action-types "{\"name\":\"$name\",\"description\":\"bench\",\"provider\":\"bench\",\"parameters_schema\":{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100},\"channel\":{\"type\":\"string\",\"enum\":[\"email\",\"in_app\",\"sms\"]}},\"required\":[\"amount\"]},\"delivery_webhook\":\"https://hooks.example.com/bench\"}"
done

export RETIVO_CONFIG=$VAR/retivo.conf RETIVO_VAR=$VAR RETIVO_PORT=$PORT
export RETIVO_BASE_URL=$BASE RETIVO_ADMIN=$BUILD/jobs/retivo-admin
if [ "$PRIOR" -gt 0 ]; then
	say "recording $PRIOR prior decisions with outcomes (retivo-sim --warm)"
	"$BUILD/tests/sim/retivo-sim" --warm "$PRIOR" --key "$KEY" --user-prefix user- \
		--user-count "$USERS" --actions "$ACTIONS" >"$VAR/warm.out" 2>&1 ||
		die "retivo-sim --warm failed: $(tail -5 "$VAR/warm.out")"
	say "$(tail -1 "$VAR/warm.out")"
fi
PRIOR_ROWS=$(sql "SELECT COUNT(*), SUM(outcome_status IS NOT NULL) FROM decisions WHERE tenant_id = '$TENANT'" |
	tr '\t' '/' || echo '?')
ARMS=$(sql "SELECT COUNT(*), COUNT(DISTINCT bucket) FROM decision_arms WHERE tenant_id = '$TENANT'" |
	tr '\t' '/' || echo '?')

# ---------------------------------------------------------------- measuring
# "lighttpd fcgi mariadbd busy total" CPU ticks now: fcgi is the decisions
# and hello FastCGI programs together (one target runs at a time).
cpu_snapshot() {
	local p fcgi=0
	for p in $(children); do
		case "$(readlink "/proc/$p/exe" 2>/dev/null || true)" in
		*/retivo-decisions.fcgi* | */hello.fcgi*) fcgi=$((fcgi + $(proc_ticks "$p"))) ;;
		esac
	done
	echo "$(proc_ticks "$(lighttpd_pid)") $fcgi $(proc_ticks "$(mysqld_pid)") $(cpu_totals)"
}
DB_VARS=Queries

ROWS=()
ERRORS=()
# bench LABEL CONNS KIND — KIND hello or recommend.
bench() {
	local label=$1 conns=$2 kind=$3 out args q0 q1 c0 c1 cpu lua
	out=$VAR/wrk-$((${#ROWS[@]} + 1)).txt
	if [ "$kind" = hello ]; then
		args=("$BASE/hello")
	else
		args=(-s "$HERE/recommend.lua" "$BASE/api/decisions/recommend" -- "$KEY" "$USERS" "$ACTIONS")
	fi
	say "$label, $conns connections: warm-up $WARMUP, then $DURATION"
	wrk_run "$WARMUP" "$conns" "$out.warmup" "${args[@]}"
	q0=$(db_status)
	c0=$(cpu_snapshot)
	wrk_measure "$DURATION" "$conns" "$out" "${args[@]}"
	c1=$(cpu_snapshot)
	q1=$(db_status)
	wrk_parse "$out"
	# CPU over the measured run, % of one core: lighttpd, FastCGI, mariadbd,
	# wrk, everything else on the host (other work skews the figures).
	# Also the CPU milliseconds per request of the FastCGI programs and mariadbd:
	# the cost of a request whatever else the host is doing.
	cpu=$(awk -v b="$c0" -v a="$c1" -v ncpu="$NCPU" -v tck="$CLK_TCK" -v n="${WRK_REQS:-0}" \
		-v w0="$(children_cpu "$out.t0")" -v w1="$(children_cpu "$out.t1")" 'BEGIN {
		split(b, x, " "); split(a, y, " "); wall = (y[5] - x[5]) / ncpu; if (wall <= 0) wall = 1
		for (i = 1; i <= 4; i++) d[i] = (y[i] - x[i]) * 100 / wall
		wrk = (w1 - w0) * tck * 100 / wall
		other = d[4] - d[1] - d[2] - d[3] - wrk; if (other < 0) other = 0
		if (n <= 0) n = 1
		printf "%.0f|%.0f|%.0f|%.0f|%.0f|%.3f|%.3f", d[1], d[2], d[3], wrk, other,
			(y[2] - x[2]) * 1000 / tck / n, (y[3] - x[3]) * 1000 / tck / n }')
	if [ "$kind" = recommend ]; then
		lua=$(sed -n 's/^recommend\.lua: //p' "$out")
		case "$lua" in *"non200=0 norec=0"*) ;; *) ERRORS+=("$label at $conns: $lua") ;; esac
	fi
	if [ "$WRK_NON2XX" != 0 ] || [ "$WRK_SOCKERR" != 0 ]; then
		ERRORS+=("$label at $conns: $WRK_NON2XX non-2xx answers and $WRK_SOCKERR socket errors of $WRK_REQS requests")
	fi
	ROWS+=("$label|$conns|$WRK_RPS|$WRK_P50|$WRK_P99|$WRK_REQS|$WRK_NON2XX|$WRK_SOCKERR|$(awk -v a="$q0" -v b="$q1" \
		-v n="$WRK_REQS" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) / n : 0) }')|$cpu")
}

bench "GET /hello" 32 hello
bench "POST /api/decisions/recommend" 32 recommend
bench "GET /hello" 8 hello
bench "POST /api/decisions/recommend" 8 recommend

DEC_N=0 DEC_MAX=0 DEC_SUM=0
for p in $(children); do
	case "$(readlink "/proc/$p/exe" 2>/dev/null || true)" in
	*/retivo-decisions.fcgi*)
		kb=$(vmhwm "$p")
		[ -n "$kb" ] || continue
		DEC_N=$((DEC_N + 1)) DEC_SUM=$((DEC_SUM + kb))
		if [ "$kb" -gt "$DEC_MAX" ]; then DEC_MAX=$kb; fi
		;;
	esac
done
MYSQLD_KB=$(vmhwm "$(mysqld_pid)")
DECISIONS=$(sql "SELECT COUNT(*) FROM decisions WHERE tenant_id = '$TENANT'" || echo '?')

# ------------------------------------------------------------------- report
echo
report_head "Retivo recommend benchmark"
echo "host ${IDLE_BUSY}% busy before the run (of all CPUs); wrk runs on the same host ($THREADS threads)"
echo "tenant: $U_COUNT users, $EV_COUNT events (generated in $(elapsed "$G0" "$G1") s; retivo-scores --full $(elapsed "$S0" "$S1") s)"
echo "  stages: $STAGES"
echo "  risk: $RISKS"
echo "  ${#ACTION_LIST[@]} action types offered per request; prior decisions/with outcomes: $PRIOR_ROWS; arms (rows/buckets): $ARMS"
echo "wrk: $DURATION measured after $WARMUP warm-up per target; users drawn at random per request"
echo
printf '%-32s %5s %9s %9s %9s %7s %8s %10s\n' target conns req/s p50 p99 ratio non-2xx stmts/req
for row in "${ROWS[@]}"; do
	IFS='|' read -r label conns rps p50 p99 reqs non2xx sockerr spr _ <<<"$row"
	ceil=0
	for r2 in "${ROWS[@]}"; do
		IFS='|' read -r l2 c2 rps2 _ <<<"$r2"
		if [ "$l2" = "GET /hello" ] && [ "$c2" = "$conns" ]; then ceil=$rps2; fi
	done
	printf '%-32s %5s %9.0f %7sms %7sms %7.2f %8s %10s' "$label" "$conns" "$rps" "$p50" "$p99" \
		"$(awk -v a="$rps" -v c="$ceil" 'BEGIN { print (c > 0 ? a / c : 0) }')" "$non2xx" "$spr"
	if [ "$sockerr" != 0 ]; then printf '  (%s socket errors)' "$sockerr"; fi
	case "$label" in
	*recommend*)
		if [ "$conns" = 32 ]; then
			printf '  p99 target <= 10 ms: %s' "$(awk -v p="$p99" 'BEGIN { print (p <= 10 ? "MET" : "MISSED") }')"
		fi
		;;
	esac
	printf '\n'
done
echo "  (ratio: req/s over GET /hello's at the same connections; stmts/req: MariaDB Queries per request,"
echo "   authentication and rate limit included)"
echo
echo "CPU during each measured run (% of one core; $NCPU cores = $((NCPU * 100))%):"
printf '%-32s %5s %9s %9s %9s %9s %9s %12s %12s\n' target conns lighttpd fastcgi mariadbd wrk other \
	fcgi-ms/req db-ms/req
for row in "${ROWS[@]}"; do
	IFS='|' read -r label conns _ _ _ _ _ _ _ l f m w o fms dms <<<"$row"
	printf '%-32s %5s %8s%% %8s%% %8s%% %8s%% %8s%% %12s %12s\n' "$label" "$conns" "$l" "$f" "$m" "$w" "$o" \
		"$fms" "$dms"
done
echo "  (fastcgi: hello.fcgi or retivo-decisions.fcgi, whichever the target is; other: the rest of the host;"
echo "   fcgi-ms/req, db-ms/req: CPU milliseconds per request of the FastCGI programs and of mariadbd)"
echo
echo "Peak RSS (VmHWM): retivo-decisions.fcgi max $(kib "$DEC_MAX") over $DEC_N processes ($(kib "$DEC_SUM") in all);"
echo "  mariadbd $(kib "$MYSQLD_KB"); decisions logged for the tenant after the runs: $DECISIONS"

if [ ${#ERRORS[@]} -gt 0 ]; then
	report_errors "ERRORS DURING THE RUN: the figures are NOT valid" "${ERRORS[@]}"
	report_errors_end
	exit 2
fi
