#!/usr/bin/env bash
# tests/bench/dispatch.sh — delivery throughput: deliveries/s from the
# outbox to a loopback receiver that answers 200, beside the receiver's
# own wrk ceiling measured in the same run. Figures, not a pass/fail test.
#
#   tests/bench/dispatch.sh            (BENCH_ACTIONS=10000 by default)
#
# It starts a throwaway stack (temp RETIVO_VAR, free port) with ../../run.sh,
# starts tests/api/retivo-receiver on loopback, registers an action type
# whose webhook is the receiver, queues BENCH_ACTIONS actions through
# POST /api/external/actions (the real API: schema check, action row and
# signed delivery per request), then times one retivo-dispatch run that
# sends them all, and checks the receiver got each exactly once with both
# signatures valid. Stops and removes everything on exit (BENCH_KEEP=1 keeps
# the temp directory); the stack and wrk helpers are tests/bench/lib.sh's.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
ACTIONS=${BENCH_ACTIONS:-10000}
RECEIVER=$BUILD/tests/api/retivo-receiver
DISPATCH=$BUILD/jobs/retivo-dispatch
need_tools wrk

RPID=
stack_on_exit() { [ -z "$RPID" ] || kill "$RPID" 2>/dev/null || true; }
stack_init retivo-bench-dispatch
stack_start
need_programs tests/api/retivo-receiver jobs/retivo-dispatch
export RETIVO_CONFIG=$VAR/retivo.conf
KEY=$(demo_field live_key)
TENANT=$(demo_field tenant_id)
sql "UPDATE tenants SET plan_tier = 'custom', api_limit_override = 4000000000 WHERE id = '$TENANT'"

# The receiver prints "port N" first.
coproc RECV { exec "$RECEIVER" --port 0; }
RPID=$RECV_PID
read -r _ RPORT <&"${RECV[0]}"
HOOK=http://127.0.0.1:$RPORT/hook
say "receiver on port $RPORT"

# The ceiling: the receiver itself under wrk, POSTing a dispatch-sized body.
cat >"$VAR/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"action_id":"ea_bench","action_type":"grant_points","user_id":"user-1","parameters":{"amount":300},"reasoning":null,"confidence":null,"tenant_id":"t","timestamp":"2026-01-01T00:00:00Z","test_mode":false}'
wrk.headers["Content-Type"] = "application/json"
EOF
THREADS=2 wrk_run 5s 32 "$VAR/wrk.txt" --latency -s "$VAR/post.lua" "http://127.0.0.1:$RPORT/ceiling"
wrk_parse "$VAR/wrk.txt"
CEIL=${WRK_RPS%.*}
curl -s -X POST "http://127.0.0.1:$RPORT/_control/reset" >/dev/null

api_expect 201 POST /api/external/action-types "{\"name\":\"grant_points\",\"description\":\"bench\",\"provider\":\"bench\",
	\"parameters_schema\":{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\",
	\"minimum\":1,\"maximum\":100000}},\"required\":[\"amount\"]},\"delivery_webhook\":\"$HOOK\"}"
SECRET=$(sed -n 's/.*"webhook_secret":"\([0-9a-f]*\)".*/\1/p' "$VAR/api.out")
[ -n "$SECRET" ] || die "cannot register the action type: $(cat "$VAR/api.out")"
curl -s -X POST -d "{\"path\":\"/hook\",\"secret\":\"$SECRET\"}" \
	"http://127.0.0.1:$RPORT/_control/secret" >/dev/null

say "queueing $ACTIONS actions through POST /api/external/actions"
cat >"$VAR/dispatch.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
local n = 0
request = function()
	n = n + 1
	return wrk.format(nil, nil, nil, '{"action_type":"grant_points","user_id":"user-' .. (n % 1000) ..
		'","parameters":{"amount":' .. (n % 500 + 1) .. '},"reasoning":"bench"}')
end
EOF
T0=$(now_s)
# wrk runs by time, not count: queue in rounds until enough are queued.
while :; do
	have=$(sql "SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
	[ "$have" -lt "$ACTIONS" ] || break
	wrk -t2 -c16 -d1s -s "$VAR/dispatch.lua" "$BASE/api/external/actions" >/dev/null
done
T1=$(now_s)
QUEUED=$(sql "SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
say "queued $QUEUED deliveries in $(elapsed "$T0" "$T1") s"

say "dispatching"
S0=$(now_s)
"$DISPATCH" --limit $((QUEUED + 100)) >"$VAR/dispatch.out" 2>"$VAR/dispatch.err" ||
	{ cat "$VAR/dispatch.err" >&2; die "retivo-dispatch failed"; }
S1=$(now_s)
SECS=$(awk -v a="$S0" -v b="$S1" 'BEGIN { printf "%.2f", b - a }')
DONE=$(sql "SELECT COUNT(*) FROM deliveries WHERE state = 'succeeded'")
LEFT=$(sql "SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
ATTEMPTS=$(sql "SELECT COUNT(*) FROM delivery_attempts")
LOG=$(curl -s "http://127.0.0.1:$RPORT/_control/log?path=/hook")
GOT=$(printf '%s' "$LOG" | { grep -o '"status_sent":200' || true; } | wc -l)
BAD=$(printf '%s' "$LOG" | { grep -o '"signature_ok":false\|"standard_signature_ok":false' || true; } | wc -l)
UNIQ=$(printf '%s' "$LOG" | { grep -o '"action_id":"ea_[A-Za-z0-9]*"' | sort -u || true; } | wc -l)
RATE=$(awk -v n="$DONE" -v s="$SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')

printf '\nRetivo dispatch benchmark — %s, %s CPUs\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NCPU"
printf '%-44s %10s\n' "receiver ceiling (wrk POST, 32 conns)" "$CEIL req/s"
printf '%-44s %10s\n' "dispatch: deliveries sent and 2xx" "$DONE of $QUEUED"
printf '%-44s %10s\n' "dispatch: wall time" "$SECS s"
printf '%-44s %10s   (target >= 1000; %s of the receiver ceiling)\n' "dispatch: deliveries/s" "$RATE" \
	"$(awk -v r="$RATE" -v c="$CEIL" 'BEGIN { printf "%.2f", (c > 0 ? r / c : 0) }')"
printf '%-44s %10s\n' "receiver: 200s received" "$GOT"
printf '%-44s %10s\n' "receiver: distinct action ids" "$UNIQ"
printf '%-44s %10s\n' "receiver: bad signatures" "$BAD"
printf '%-44s %10s\n' "attempts recorded / still pending" "$ATTEMPTS / $LEFT"
printf 'job summary: %s\n' "$(tail -1 "$VAR/dispatch.out")"
[ "$BAD" -eq 0 ] && [ "$GOT" -eq "$DONE" ] && [ "$UNIQ" -eq "$DONE" ] ||
	{ say "!!! receipts do not match the deliveries"; exit 2; }
