#!/usr/bin/env bash
# tests/bench/scores.sh — figures for the scores job (jobs/scores.c,
# retivo-scores) over a generated tenant: by default 100,000 users and
# 5,000,000 events spread over the 90 days before a fixed --now T. Not a
# pass/fail test: it prints figures against the issue's targets (full
# recompute under 60 s, incremental run under 2 s), and exits 2 when a job
# run failed, so that its figures mean nothing.
#
#   tests/bench/scores.sh
#
# It starts a throwaway stack of its own (temp RETIVO_VAR, free random
# port) with ../../run.sh, creates a tenant on the custom plan with its
# limits raised, configures onboarding and retention milestones and
# expansion signals through PATCH /api/settings, then generates the data
# straight into MariaDB with set-based SQL over the SEQUENCE engine's
# seq_1_to_N tables. There is no RAND(): every value is a hash (MD5 per
# user, CRC32 per event) of a sequence number, so every run generates the
# same rows.
#   - Users have an active span inside the 90 days (a start, and an end
#     that is T for about 55% of them and earlier for those who went
#     quiet), a breadth (how far down the list of ~30 weighted event names
#     they reach: the first ones, which include the first onboarding
#     milestones, are everyone's), a plan and a seats_used trait.
#   - Events: user k has floor(E*sqrt((k+1)/U)) - floor(E*sqrt(k/U)) of
#     them — the expected share of user floor(U * h^2) for a uniform h, so
#     a few users have thousands of events and most have tens, and the
#     counts add up to exactly E; each event's name is drawn from the
#     user's part of the weighted list, and its time uniformly from the
#     user's span. The events are staged, then inserted in time order, so
#     that their ids grow with occurred_at as the ingestion API's do; one
#     event_outbox row holds them all.
#   - The users rows are then aggregated from the events: first_seen_at,
#     last_activity_at and event_count agree with them.
# Then it measures:
#   a) retivo-scores --full --now T       every user scored: wall time,
#      CPU, peak RSS (GNU time, or VmHWM polled), the job's summary line
#   b) BENCH_NEW_EVENTS (10,000) new events in [T, T+1min), picked with
#      the same skew (about 1% from 50 users never seen before), with the
#      users upsert ingestion does, in one transaction
#   c) retivo-scores --now T+1min         incremental: should score only
#      the users of those events
#   d) retivo-scores --now T+2min         nothing new: should score no one
# with MariaDB's CPU, statements and rows read during each run, and prints
# a table. The stack stops and its directory goes, whatever happens (the
# stack, tenant and measuring helpers are tests/bench/lib.sh's).
#
# Environment:
#   BENCH_USERS       generated users (default 100000)
#   BENCH_EVENTS      generated events (default 5000000, at least twice
#                     BENCH_USERS); a quick smoke run:
#                     BENCH_USERS=10000 BENCH_EVENTS=500000
#   BENCH_NEW_EVENTS  events before the incremental run (default 10000)
#   BENCH_NOW         T (default 2025-06-02T00:00:00Z; T and T+2min must be
#                     on the same UTC day, or the job's daily pass runs)
#   BENCH_BATCH       passed to retivo-scores as --batch N (default: the job's)
#   BENCH_SQL         SQL run after the generation, before the first job run
#                     (its time is reported apart), to try an index or a
#                     setting, e.g. "SET GLOBAL innodb_buffer_pool_size = 2147483648"
#   BENCH_KEEP=1      keep the temp directory (logs, database) after the run
#   RETIVO_BUILD      build directory (default <repo>/build)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
USERS=${BENCH_USERS:-100000}
EVENTS=${BENCH_EVENTS:-5000000}
NEW_EVENTS=${BENCH_NEW_EVENTS:-10000}
NOW=${BENCH_NOW:-2025-06-02T00:00:00Z}
BATCH=${BENCH_BATCH:-}
DAYS=90
TARGET_FULL=60
TARGET_INCR=2
NEW_USERS=50		# users first seen in the incremental events

for v in USERS EVENTS NEW_EVENTS; do
	[[ ${!v} =~ ^[1-9][0-9]{0,8}$ ]] || die "BENCH_$v must be a positive integer below 10^9: ${!v}"
done
[ -z "$BATCH" ] || [[ $BATCH =~ ^[1-9][0-9]{0,5}$ ]] || die "BENCH_BATCH must be a positive integer: $BATCH"
[ "$EVENTS" -ge $((2 * USERS)) ] || die "BENCH_EVENTS must be at least twice BENCH_USERS (every user gets events)"
[ "$EVENTS" -le 200000000 ] || die "BENCH_EVENTS is at most 200,000,000"
need_tools curl

# T, T+1min, T+2min and the start of the span, as SQL DATETIMEs and as the
# job's --now.
epoch=$(date -u -d "$NOW" +%s 2>/dev/null) || die "BENCH_NOW is not a date: $NOW"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
sqltime() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
NOW_ISO=$(iso "$epoch")
NOW1_ISO=$(iso $((epoch + 60)))
NOW2_ISO=$(iso $((epoch + 120)))
T_SQL=$(sqltime "$epoch")
T0_SQL=$(sqltime $((epoch - DAYS * 86400)))
SPAN=$((DAYS * 86400))
[ $((epoch / 86400)) = $(((epoch + 120) / 86400)) ] ||
	say "WARNING: $NOW_ISO and $NOW2_ISO are on different UTC days: the job's daily pass will run"

# ------------------------------------------------------------------- build
build_programs jobs/retivo-scores jobs/retivo-admin
SCORES=$BUILD/jobs/retivo-scores

# Peak RSS of a job: GNU time (Debian package time), installed when we are
# root and it is missing; otherwise VmHWM polled from /proc.
GNU_TIME=/usr/bin/time
if [ ! -x "$GNU_TIME" ] && [ "$(id -u)" = 0 ]; then
	say "installing the Debian package time (for peak RSS)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true
fi
[ -x "$GNU_TIME" ] || say "no $GNU_TIME: a job's peak RSS is sampled from /proc every 50 ms"

# ------------------------------------------------------------------- stack
JOB_PID=
# An interrupted job run: GNU time and the job under it.
stack_on_exit() {
	local p
	[ -n "$JOB_PID" ] || return 0
	for p in $(pgrep -P "$JOB_PID" 2>/dev/null || true) "$JOB_PID"; do
		kill "$p" 2>/dev/null || true
	done
}
stack_init retivo-bench-scores
warn_host_busy
# The working set (users and the per-user event indexes) should fit the
# buffer pool, as it would on a database sized for this tenant.
stack_start "${BENCH_DB_POOL:-4G}"
[ -x "$SCORES" ] || die "no $SCORES after the build"
PLACEHOLDER=0
if grep -qa 'not yet written' "$SCORES"; then
	PLACEHOLDER=1
	say "WARNING: $SCORES is still a placeholder: only the generation is measured"
fi

MYSQLD_PID=$(mysqld_pid)

# ------------------------------------------------------------------ tenant
bench_tenant "Scores Bench" scores-bench

# Every event named here is among the generated names below, at various
# frequencies; seats_used is a generated trait (0-12).
SETTINGS='{
  "engagement_window_days": 14,
  "onboarding_milestones": [
    {"key": "signed_up", "name": "Signed up", "events": ["signed_up"]},
    {"key": "profile_completed", "name": "Completed the profile", "events": ["profile_completed"]},
    {"key": "first_project", "name": "Created a first project", "events": ["project_created"]},
    {"key": "invited_teammate", "name": "Invited a teammate", "events": ["teammate_invited"]},
    {"key": "connected_integration", "name": "Connected an integration",
     "events": ["integration_connected", "api_key_created"]}
  ],
  "retention_milestones": [
    {"key": "exported_report", "name": "Exported a report", "events": ["report_exported"]},
    {"key": "shared_dashboard", "name": "Shared a dashboard", "events": ["dashboard_shared"]},
    {"key": "completed_task", "name": "Completed a task", "events": ["task_completed"]}
  ],
  "expansion_signals": [
    {"key": "viewed_pricing", "event": "pricing_viewed", "weight": 0.6},
    {"key": "hit_feature_gate", "event": "feature_gate_hit", "weight": 1},
    {"key": "seat_limit", "trait": "seats_used", "threshold": 10, "weight": 0.8}
  ]
}'
api_expect 200 PATCH /api/settings "$SETTINGS"

# -------------------------------------------------------------- generation
# A 32-bit hash as a fraction in [0, 1): the n-th 8 hex digits of an MD5
# column (crc_u, lib.sh, for a CRC32).
md5_u() { echo "(CONV(SUBSTR($1, $((($2 - 1) * 8 + 1)), 8), 16, 10) / 4294967296)"; }

# Event names and weights (per mille). A user draws from the first BASIC
# to all 1000 of them, so the first names are everyone's and the last
# ones are rare; custom events come last.
NAMES=(
	page_viewed:180 session_started:60 signed_up:12 feature_used:90 profile_completed:12
	project_created:16 search_performed:30
	dashboard_viewed:50 item_viewed:50 teammate_invited:8 comment_added:35 task_completed:25
	integration_connected:6 file_uploaded:30 notification_opened:30 report_viewed:25
	list_filtered:30 settings_viewed:20 report_exported:12 pricing_viewed:10 logout:60
	help_center_viewed:15 export_started:10 dashboard_shared:8 api_key_created:4
	feature_gate_hit:8 billing_viewed:8 invoice_downloaded:6 item_created:60
	file_downloaded:40 team_page_viewed:30
	custom.reward.redeemed:10 custom.survey.answered:10
)
BASIC=400
SLOTS=0
CUSTOM_FROM=
ELT_ARGS=
for nw in "${NAMES[@]}"; do
	name=${nw%:*} weight=${nw#*:}
	case "$name" in custom.*) CUSTOM_FROM=${CUSTOM_FROM:-$SLOTS} ;; esac
	for _ in $(seq 1 "$weight"); do ELT_ARGS+=", '$name'"; done
	SLOTS=$((SLOTS + weight))
done
[ "$SLOTS" = 1000 ] || die "the event name weights add up to $SLOTS, not 1000"
# The name, kind and source of slot s (0-999).
slot_name() { echo "ELT(1 + $1$ELT_ARGS)"; }
slot_kind() { echo "IF($1 >= $CUSTOM_FROM, 'custom', 'product')"; }
slot_source() { echo "IF($1 >= $CUSTOM_FROM, 'external', 'api')"; }
# Event ids are staged as (seconds after T - DAYS) * 2^28 + event number.
SK=268435456

say "generating $USERS users and $EVENTS events over the $DAYS days before $NOW_ISO"
G0=$(now_s)
# The users' parameters, in a database of its own that the job never reads:
# span [t_start, t_start + t_len) in seconds after T - DAYS days, ending at
# T for about 55%; slots, their breadth; events n, numbered cum+1..cum+n.
sql_in <<EOF || die "the generation of the users' parameters failed"
CREATE DATABASE bench;
CREATE TABLE bench.users (
	k	INT NOT NULL PRIMARY KEY,
	user_id	VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	t_start	INT NOT NULL,
	t_len	INT NOT NULL,
	slots	INT NOT NULL,
	plan	VARCHAR(20) NOT NULL,
	seats	INT NOT NULL,
	cum	BIGINT NOT NULL,
	n	INT NOT NULL,
	UNIQUE KEY (user_id)
) ENGINE=InnoDB;
INSERT INTO bench.users
SELECT k, CONCAT('user-', k), t_start,
	GREATEST(1, IF(he < 0.55, $SPAN, t_start + FLOOR(($SPAN - t_start) * (he - 0.55) / 0.45)) - t_start),
	FLOOR($BASIC + (1000 - $BASIC) * hb), ELT(1 + FLOOR(hp * 3), 'free', 'pro', 'business'),
	FLOOR(hs * 13), FLOOR($EVENTS * SQRT(k / $USERS)),
	FLOOR($EVENTS * SQRT((k + 1) / $USERS)) - FLOOR($EVENTS * SQRT(k / $USERS))
FROM (SELECT seq AS k, FLOOR($SPAN * $(md5_u m 1)) AS t_start, $(md5_u m 2) AS he,
	     $(md5_u m 3) AS hb, $(md5_u m 4) AS hp, $(md5_u m2 1) AS hs
      FROM (SELECT seq, MD5(CONCAT('bench-user-', seq)) AS m, MD5(CONCAT('bench-trait-', seq)) AS m2
	    FROM seq_0_to_$((USERS - 1))) r) x;
EOF
GA=$(now_s)

# Event x (1..E) of user k: time from CRC32(x), name slot from CRC32(x*x)
# (independent enough of each other: a chi-square test over 32x32 cells
# of their top bits passes). Staged under a key in time order.
sql_in <<EOF || die "the staging of events failed"
CREATE TABLE bench.ev (
	sk	BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	k	INT NOT NULL,
	slot	SMALLINT NOT NULL
) ENGINE=InnoDB;
SET SESSION unique_checks = 0, foreign_key_checks = 0;
START TRANSACTION;
INSERT INTO bench.ev
SELECT (u.t_start + FLOOR($(crc_u "u.cum + s.seq") * u.t_len)) * $SK + u.cum + s.seq, u.k,
	FLOOR($(crc_u "(u.cum + s.seq) * (u.cum + s.seq)") * u.slots)
FROM bench.users u STRAIGHT_JOIN seq_1_to_$EVENTS s ON s.seq <= u.n;
COMMIT;
EOF
GB=$(now_s)

# Into the (empty) events table in time order, in one transaction with
# unique and foreign-key checks off: InnoDB's bulk-insert path.
sql_in <<EOF || die "the generation of events failed"
SET SESSION unique_checks = 0, foreign_key_checks = 0;
START TRANSACTION;
INSERT INTO event_outbox (tenant_id, source, event_count, test_mode, created_at)
	VALUES ('$TENANT', 'api', $EVENTS, 0, '$T_SQL');
SET @outbox = LAST_INSERT_ID();
INSERT INTO events (tenant_id, user_id, name, kind, source, properties, occurred_at,
	received_at, test_mode, dedupe_key, outbox_id)
SELECT '$TENANT', u.user_id, $(slot_name e.slot), $(slot_kind e.slot), $(slot_source e.slot), '{}',
	TIMESTAMPADD(SECOND, e.sk DIV $SK, '$T0_SQL'), TIMESTAMPADD(SECOND, e.sk DIV $SK, '$T0_SQL'),
	0, NULL, @outbox
FROM bench.ev e STRAIGHT_JOIN bench.users u ON u.k = e.k
ORDER BY e.sk;
COMMIT;
DROP TABLE bench.ev;
EOF
GC=$(now_s)

sql_in >/dev/null <<EOF || die "the generation of users rows failed"
INSERT INTO users (tenant_id, user_id, email, plan, traits, event_count, first_seen_at,
	last_activity_at, created_at, updated_at)
SELECT '$TENANT', a.user_id, CONCAT(a.user_id, '@example.com'), u.plan,
	JSON_OBJECT('plan', u.plan, 'seats_used', u.seats), a.n, a.first, a.last, a.first, a.last
FROM (SELECT user_id, COUNT(*) AS n, MIN(occurred_at) AS first, MAX(occurred_at) AS last
      FROM events WHERE tenant_id = '$TENANT' GROUP BY user_id) a
JOIN bench.users u ON u.user_id = a.user_id;
UPDATE tenants SET tracked_users = (SELECT COUNT(*) FROM users WHERE tenant_id = '$TENANT')
	WHERE id = '$TENANT';
ANALYZE TABLE events, users;
EOF
G1=$(now_s)
GEN_S=$(elapsed "$G0" "$G1")
say "generated in $GEN_S s"

read -r EV_COUNT EV_FIRST EV_LAST EV_NAMES <<<"$(sql "SELECT COUNT(*),
	DATE_FORMAT(MIN(occurred_at), '%Y-%m-%dT%H:%i:%sZ'), DATE_FORMAT(MAX(occurred_at), '%Y-%m-%dT%H:%i:%sZ'),
	COUNT(DISTINCT name) FROM events WHERE tenant_id = '$TENANT'")"
read -r U_COUNT U_MIN U_MED U_MAX U_QUIET14 U_QUIET30 U_NEW14 <<<"$(sql "SELECT COUNT(*),
	MIN(event_count), (SELECT event_count FROM users WHERE tenant_id = '$TENANT'
	  ORDER BY event_count LIMIT 1 OFFSET $((USERS / 2))), MAX(event_count),
	SUM(last_activity_at < '$T_SQL' - INTERVAL 14 DAY), SUM(last_activity_at < '$T_SQL' - INTERVAL 30 DAY),
	SUM(first_seen_at >= '$T_SQL' - INTERVAL 14 DAY)
	FROM users WHERE tenant_id = '$TENANT'")"
[ "$EV_COUNT" = "$EVENTS" ] || die "the events table holds $EV_COUNT of the tenant's events, not $EVENTS"
[ "$U_COUNT" = "$USERS" ] || die "the users table holds $U_COUNT of the tenant's users, not $USERS"
DATA_MB=$(sql "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables
	WHERE table_schema = 'retivo' AND table_name IN ('events', 'users')")
BUFFER_POOL_MB=$(sql "SELECT @@innodb_buffer_pool_size DIV 1048576")
MYSQLD_GEN_HWM=$(vmhwm "$MYSQLD_PID")
EXTRA_S=
if [ -n "${BENCH_SQL:-}" ]; then
	say "running BENCH_SQL"
	S0=$(now_s)
	sql "$BENCH_SQL" >"$VAR/bench_sql.out" 2>&1 || die "BENCH_SQL failed: $(cat "$VAR/bench_sql.out")"
	EXTRA_S=$(elapsed "$S0" "$(now_s)")
	BUFFER_POOL_MB=$(sql "SELECT @@innodb_buffer_pool_size DIV 1048576")
fi

# ---------------------------------------------------------------- measuring
DB_VARS="Queries Com_select Com_insert Com_update Rows_read Handler_read_key Handler_write
	Handler_update Innodb_buffer_pool_reads Innodb_row_lock_waits"

# A number field of the summary line ("" when absent).
jnum() { sed -n "s/.*\"$1\": *\([0-9.]*\).*/\1/p" <<<"$2" | head -n 1; }

export RETIVO_CONFIG=$VAR/retivo.conf RETIVO_VAR=$VAR RETIVO_PORT=$PORT
ROWS=()
ERRORS=()
# run_job LABEL ARGS... — one run of retivo-scores; its row goes to ROWS:
# label|wall s|job CPU s|peak RSS KiB|mariadbd CPU s|exit|summary|db deltas.
run_job() {
	local label=$1 out=$VAR/job-$((${#ROWS[@]} + 1)) t0 t1 dbb dba mb ma rc rss cpu peak kb summary
	shift
	[ -z "$BATCH" ] || set -- "$@" --batch "$BATCH"
	say "$label: retivo-scores $*"
	dbb=$(db_status)
	mb=$(proc_ticks "$MYSQLD_PID")
	t0=$(now_s)
	if [ -x "$GNU_TIME" ]; then
		"$GNU_TIME" -v -o "$out.time" "$SCORES" "$@" >"$out.out" 2>"$out.err" &
		JOB_PID=$!
		wait "$JOB_PID" && rc=0 || rc=$?
	else
		"$SCORES" "$@" >"$out.out" 2>"$out.err" &
		JOB_PID=$!
		peak=0
		while kill -0 "$JOB_PID" 2>/dev/null; do
			kb=$(vmhwm "$JOB_PID")
			if [ -n "$kb" ] && [ "$kb" -gt "$peak" ]; then peak=$kb; fi
			sleep 0.05
		done
		wait "$JOB_PID" && rc=0 || rc=$?
	fi
	JOB_PID=
	t1=$(now_s)
	ma=$(proc_ticks "$MYSQLD_PID")
	dba=$(db_status)
	if [ -x "$GNU_TIME" ]; then
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$out.time")
		cpu=$(awk -F': *' '/User time \(seconds\)|System time \(seconds\)/ { t += $2 }
			END { printf "%.2f", t }' "$out.time")
	else
		rss=$peak cpu=-
	fi
	summary=$(grep '^{' "$out.out" | tail -n 1 || true)
	if [ "$rc" != 0 ] || [ -z "$summary" ] || [ "$(jnum errors "$summary")" = 1 ]; then
		ERRORS+=("$label: exit status $rc; stdout: $(tail -c 300 "$out.out"); stderr: $(tail -c 600 "$out.err")")
	fi
	ROWS+=("$label|$(elapsed "$t0" "$t1")|$cpu|${rss:-0}|$(awk -v a="$mb" -v b="$ma" -v t="$CLK_TCK" \
		'BEGIN { printf "%.2f", (b - a) / t }')|$rc|$summary|$(awk -v b="$dbb" -v a="$dba" 'BEGIN {
		split(b, x, " "); split(a, y, " "); for (i = 1; i in y; i++) printf "%s%d", (i > 1 ? " " : ""), y[i] - x[i] }')")
}

# Distribution of stages and risk levels, and the mean scores.
score_summary() {
	sql "SELECT CONCAT('stages: ', GROUP_CONCAT(CONCAT(s, ' ', n) ORDER BY s SEPARATOR ', '))
	     FROM (SELECT lifecycle_stage AS s, COUNT(*) AS n FROM users WHERE tenant_id = '$TENANT'
		   GROUP BY lifecycle_stage) g"
	sql "SELECT CONCAT('risk: ', GROUP_CONCAT(CONCAT(r, ' ', n) ORDER BY r SEPARATOR ', '))
	     FROM (SELECT risk_level AS r, COUNT(*) AS n FROM users WHERE tenant_id = '$TENANT'
		   GROUP BY risk_level) g"
	sql "SELECT CONCAT('mean scores: activation ', ROUND(AVG(activation_score), 3),
		', engagement ', ROUND(AVG(engagement_score), 3), ', expansion ', ROUND(AVG(expansion_score), 3),
		'; users with activation 1: ', SUM(activation_score >= 1), ', engagement 0: ',
		SUM(engagement_score = 0))
	     FROM users WHERE tenant_id = '$TENANT'"
}

NEW_S=- NEW_DISTINCT=- NEW_FRESH=- NEW_IDS=-
if [ "$PLACEHOLDER" = 0 ]; then
	run_job "full recompute" --full --now "$NOW_ISO"
	SCORES_AFTER_FULL=$(score_summary)

	# The new events: the same skew, about 1% from users never seen before;
	# consecutive time-ordered ids after the last, as ingestion's multi-row
	# INSERTs get them (an INSERT ... SELECT would leave auto-increment
	# gaps), then the users upsert ingestion does (lib/event.c), all in one
	# transaction.
	X0=$EVENTS
	N0=$(now_s)
	sql_in <<EOF || die "inserting the new events failed"
START TRANSACTION;
INSERT INTO event_outbox (tenant_id, source, event_count, test_mode, created_at)
	VALUES ('$TENANT', 'api', $NEW_EVENTS, 0, '$(sqltime $((epoch + 60)))');
SET @outbox = LAST_INSERT_ID();
SET @last_id = (SELECT MAX(id) FROM events);
INSERT INTO events (id, tenant_id, user_id, name, kind, source, properties, occurred_at,
	received_at, test_mode, dedupe_key, outbox_id)
SELECT @last_id + ROW_NUMBER() OVER (ORDER BY r.at, r.k, r.x), '$TENANT', CONCAT('user-', r.k),
	$(slot_name r.slot), $(slot_kind r.slot), $(slot_source r.slot), '{}', r.at, r.at, 0, NULL, @outbox
FROM (SELECT h.x, IF(h.fresh, $USERS + h.x MOD $NEW_USERS, h.k) AS k,
	     FLOOR(h.hn * IFNULL(u.slots, 1000)) AS slot,
	     TIMESTAMPADD(SECOND, FLOOR(h.ht * 60), '$T_SQL') AS at
      FROM (SELECT seq + $X0 AS x, FLOOR($USERS * POW($(crc_u "seq + $X0"), 2)) AS k,
		   $(crc_u "(seq + $X0) * (seq + $X0)") AS hn,
		   $(crc_u "CRC32(seq + $X0) + seq + $X0") AS ht,
		   $(crc_u "(seq + $X0) * 3 + 1") < 0.01 AS fresh
	    FROM seq_1_to_$NEW_EVENTS) h
      LEFT JOIN bench.users u ON u.k = h.k AND NOT h.fresh) r;
INSERT INTO users (tenant_id, user_id, traits, event_count, first_seen_at, last_activity_at,
	created_at, updated_at)
SELECT '$TENANT', user_id, '{}', COUNT(*), MIN(occurred_at), MAX(occurred_at), MAX(received_at),
	MAX(received_at)
FROM events WHERE outbox_id = @outbox GROUP BY user_id
ON DUPLICATE KEY UPDATE event_count = event_count + VALUES(event_count),
	first_seen_at = LEAST(first_seen_at, VALUES(first_seen_at)),
	last_activity_at = GREATEST(IFNULL(last_activity_at, VALUES(last_activity_at)),
	  VALUES(last_activity_at)),
	updated_at = VALUES(updated_at);
UPDATE tenants SET tracked_users = (SELECT COUNT(*) FROM users WHERE tenant_id = '$TENANT')
	WHERE id = '$TENANT';
COMMIT;
EOF
	N1=$(now_s)
	NEW_S=$(elapsed "$N0" "$N1")
	read -r NEW_DISTINCT NEW_FRESH NEW_IDS <<<"$(sql "SELECT COUNT(DISTINCT user_id),
		COUNT(DISTINCT IF(CAST(SUBSTR(user_id, 6) AS UNSIGNED) >= $USERS, user_id, NULL)),
		CONCAT(MIN(id), '-', MAX(id))
		FROM events WHERE tenant_id = '$TENANT' AND occurred_at >= '$T_SQL'")"

	run_job "incremental, $NEW_EVENTS new events" --now "$NOW1_ISO"
	run_job "incremental, nothing new" --now "$NOW2_ISO"
	SCORES_AFTER_INCR=$(score_summary)
fi
MYSQLD_HWM=$(vmhwm "$MYSQLD_PID")

# ------------------------------------------------------------------- report
echo
report_head "Retivo scores benchmark"
echo "host ${IDLE_BUSY}% busy before the run (of all CPUs); InnoDB buffer pool ${BUFFER_POOL_MB} MiB"
echo
echo "Generated tenant $TENANT (T = $NOW_ISO):"
echo "  $U_COUNT users, $EV_COUNT events from $EV_FIRST to $EV_LAST, $EV_NAMES distinct names;"
echo "  events per user: min $U_MIN, median $U_MED, max $U_MAX; quiet for 14+ days: $U_QUIET14,"
echo "  30+ days: $U_QUIET30; first seen in the last 14 days: $U_NEW14"
echo "  events and users tables: ${DATA_MB} MiB (data and indexes)"
printf '  generation: %s s (users %s s, staging %s s, events %s s, users rows %s s)\n' "$GEN_S" \
	"$(elapsed "$G0" "$GA")" "$(elapsed "$GA" "$GB")" "$(elapsed "$GB" "$GC")" "$(elapsed "$GC" "$G1")"

[ -z "$EXTRA_S" ] || echo "  BENCH_SQL, $EXTRA_S s: $BENCH_SQL"

if [ "$PLACEHOLDER" = 1 ]; then
	echo
	echo "retivo-scores is a placeholder ($SCORES): no job figures."
	echo "mariadbd peak RSS (VmHWM): $(kib "$MYSQLD_HWM")"
	exit 2
fi

echo
printf '%-34s %8s %8s %10s %9s %8s %8s %6s\n' run wall-s target job-cpu peak-rss scanned updated trans
for row in "${ROWS[@]}"; do
	IFS='|' read -r label wall cpu rss dbcpu rc summary deltas <<<"$row"
	case "$label" in
	full*) target=$TARGET_FULL ;;
	*) target=$TARGET_INCR ;;
	esac
	verdict=$(awk -v w="$wall" -v t="$target" 'BEGIN { print (w < t ? "MET" : "MISSED") }')
	[ "$rc" = 0 ] || verdict=FAILED
	printf '%-34s %8s %8s %10s %9s %8s %8s %6s\n' "$label" "$wall" "<$target $verdict" "${cpu}s" \
		"$(kib "$rss")" "$(jnum users_scanned "$summary")" "$(jnum users_updated "$summary")" \
		"$(jnum transitions "$summary")"
done
echo "  (wall: from the job's start to its exit, connecting included; job-cpu: user+system;"
echo "   peak-rss: the job's maximum resident set; scanned/updated/trans: from its summary line)"
echo
echo "MariaDB during each run:"
printf '%-30s %6s %6s %6s %6s %6s %10s %9s %8s %8s %7s %5s\n' run cpu-s stmts select insert update \
	rows-read key-reads h-write h-update disk-rd locks
for row in "${ROWS[@]}"; do
	IFS='|' read -r label wall cpu rss dbcpu rc summary deltas <<<"$row"
	read -r q sel ins upd rr rk hw hu bpr lw <<<"$deltas"
	printf '%-30s %6s %6s %6s %6s %6s %10s %9s %8s %8s %7s %5s\n' "$label" "$dbcpu" "$q" "$sel" "$ins" \
		"$upd" "$rr" "$rk" "$hw" "$hu" "$bpr" "$lw"
done
echo "  (stmts: Queries, this script's status queries included; rows-read: Rows_read; key-reads:"
echo "   Handler_read_key, index lookups; h-write, h-update: Handler_write (temporary tables too) and"
echo "   Handler_update, rows written; disk-rd: buffer pool misses; locks: InnoDB row lock waits)"
echo
echo "New events before the first incremental run: $NEW_EVENTS (ids $NEW_IDS) in $NEW_S s, from"
echo "  $NEW_DISTINCT distinct users ($NEW_FRESH of them new); the incremental run should score exactly those."
echo
echo "Job summary lines:"
for row in "${ROWS[@]}"; do
	IFS='|' read -r label wall cpu rss dbcpu rc summary deltas <<<"$row"
	printf '  %-32s %s\n' "$label" "${summary:-(none)}"
done
echo
indent() { while IFS= read -r l; do printf '  %s\n' "$l"; done <<<"$1"; }
echo "Scores after the full recompute:"
indent "$SCORES_AFTER_FULL"
echo "After the incremental runs:"
indent "$SCORES_AFTER_INCR"
echo
echo "Peak RSS (VmHWM): mariadbd $(kib "$MYSQLD_HWM") ($(kib "$MYSQLD_GEN_HWM") after the generation)"

if [ ${#ERRORS[@]} -gt 0 ]; then
	report_errors "A JOB RUN FAILED: its figures are NOT valid" "${ERRORS[@]}"
	report_errors_end
	exit 2
fi
