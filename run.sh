#!/usr/bin/env bash
# run.sh — start, stop and test Retivo on one Debian host.
#
#   ./run.sh                  install what is missing, build, start MariaDB and
#                             lighttpd on 127.0.0.1:$RETIVO_PORT, migrate, seed a
#                             demo; returns once the stack serves
#   ./run.sh stop             stop what ./run.sh started (by pid files)
#   ./run.sh test [SUITE...]  every test suite on a throwaway stack of its own
#                             (API suite names limit the API tests to those;
#                             RETIVO_TEST_QUICK=1 skips the configure test,
#                             distcheck and the sanitizer pass while developing)
#   ./run.sh job NAME [--now ISO-8601] [args]
#                             run one job binary once against the running stack
#
# RETIVO_PORT (default 8080) and RETIVO_VAR (default ./var) select the stack,
# so two stacks with different values run side by side. RETIVO_DB_POOL sets
# MariaDB's InnoDB buffer pool (default 256M; the scores benchmark uses 4G).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RETIVO_PORT=${RETIVO_PORT:-8080}
RETIVO_VAR=${RETIVO_VAR:-$ROOT/var}
mkdir -p "$RETIVO_VAR"
RETIVO_VAR=$(cd "$RETIVO_VAR" && pwd)
BUILD=${RETIVO_BUILD:-$ROOT/build}
BUILD_ASAN=${RETIVO_BUILD_ASAN:-$ROOT/build-asan}

PACKAGES=(build-essential autoconf automake libtool pkg-config
	libjson-c-dev libcurl4-openssl-dev libssl-dev libfcgi-dev
	mariadb-server mariadb-client libmariadb-dev lighttpd curl
	json-schema-test-suite wrk tzdata python3-aiosmtpd)

say() { printf 'run.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------- packages
install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing Debian packages: ${missing[*]}"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null
	# Packaged MariaDB must not start a system server; ours is private.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
		$sudo chmod +x /usr/sbin/policy-rc.d
		local cleanup_policy=1
	fi
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	[ -n "${cleanup_policy:-}" ] && $sudo rm -f /usr/sbin/policy-rc.d
	return 0
}

# ------------------------------------------------------------------- build
build_tree() { # dir [configure args...]
	local dir=$1; shift
	if [ ! -x "$ROOT/configure" ] || [ "$ROOT/configure.ac" -nt "$ROOT/configure" ]; then
		(cd "$ROOT" && autoreconf -fi >/dev/null 2>&1) || die "autoreconf failed"
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ]; then
		(cd "$dir" && "$ROOT/configure" -q "$@") || die "configure failed in $dir"
	fi
	make -s -C "$dir" -j"$(nproc)" >/dev/null || die "build failed in $dir"
	make -s -C "$dir" -j"$(nproc)" tests/api/retivo-apitest tests/api/retivo-receiver tests/bench/hello.fcgi \
		tests/bench/insert_ceiling >/dev/null ||
		die "build of test programs failed in $dir"
}

# ---------------------------------------------------------------- database
db_sock() { echo "$RETIVO_VAR/run/mysqld.sock"; }
db_root() { mariadb --no-defaults --user=root --socket="$(db_sock)" "$@"; }

db_start() {
	local datadir=$RETIVO_VAR/mysql user
	mkdir -p "$RETIVO_VAR/run" "$RETIVO_VAR/log"
	user=$(id -un)
	if [ ! -d "$datadir/mysql" ]; then
		mariadb-install-db --no-defaults --datadir="$datadir" --user="$user" \
			--auth-root-authentication-method=socket --skip-test-db \
			>"$RETIVO_VAR/log/mariadb-install.log" 2>&1 ||
			die "mariadb-install-db failed: see $RETIVO_VAR/log/mariadb-install.log"
	fi
	if [ -f "$RETIVO_VAR/run/mysqld.pid" ] && kill -0 "$(cat "$RETIVO_VAR/run/mysqld.pid")" 2>/dev/null; then
		return 0
	fi
	# Socket only: no TCP port to collide with another stack.
	(mariadbd --no-defaults --datadir="$datadir" --user="$user" \
		--socket="$(db_sock)" --pid-file="$RETIVO_VAR/run/mysqld.pid" \
		--skip-networking --log-error="$RETIVO_VAR/log/mariadb.err" \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--innodb-buffer-pool-size="${RETIVO_DB_POOL:-256M}" --innodb-log-file-size=128M \
		--innodb-flush-log-at-trx-commit=2 --max-connections=500 \
		--skip-name-resolve --thread-handling=pool-of-threads </dev/null >/dev/null 2>&1 &)
	local i
	for i in $(seq 1 120); do
		if mariadb-admin --no-defaults --user=root --socket="$(db_sock)" ping >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.25
	done
	die "MariaDB did not start: see $RETIVO_VAR/log/mariadb.err"
}

write_config() {
	local pw key
	if [ ! -f "$RETIVO_VAR/secrets" ]; then
		pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
		key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
		umask 077
		printf 'db_password=%s\nmaster_key=%s\n' "$pw" "$key" >"$RETIVO_VAR/secrets"
	fi
	pw=$(sed -n 's/^db_password=//p' "$RETIVO_VAR/secrets")
	key=$(sed -n 's/^master_key=//p' "$RETIVO_VAR/secrets")
	db_root -e "CREATE DATABASE IF NOT EXISTS retivo CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'retivo'@'localhost' IDENTIFIED BY '$pw';
		ALTER USER 'retivo'@'localhost' IDENTIFIED BY '$pw';
		GRANT ALL PRIVILEGES ON retivo.* TO 'retivo'@'localhost';" ||
		die "cannot create the database"
	umask 077
	cat >"$RETIVO_VAR/retivo.conf" <<EOF
# Written by run.sh for the development stack in $RETIVO_VAR.
db_socket = $(db_sock)
db_user = retivo
db_password = $pw
db_name = retivo
master_key = $key
env = development
allow_private_targets = yes
schema_dir = $ROOT/schema
# The loopback SMTP sink (tests/api/smtp_sink.py) keeps every email in
# $RETIVO_VAR/mail/; nothing leaves this host.
smtp_url = smtp://127.0.0.1:$(cat "$RETIVO_VAR/run/smtp.port")
smtp_tls = none
mail_from = Retivo Demo <retention@retivo.invalid>
public_url = http://127.0.0.1:$RETIVO_PORT
EOF
	umask 022
}

# ------------------------------------------------------------- mail sink
# A real SMTP server on loopback (Debian's python3-aiosmtpd) that stores
# each message as a file under $RETIVO_VAR/mail/ (tests/api/smtp_sink.py).
smtp_start() {
	local pidf=$RETIVO_VAR/run/smtp.pid port i
	mkdir -p "$RETIVO_VAR/run" "$RETIVO_VAR/log" "$RETIVO_VAR/mail"
	if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null && [ -f "$RETIVO_VAR/run/smtp.port" ]; then
		return 0
	fi
	port=$(free_port)
	echo "$port" >"$RETIVO_VAR/run/smtp.port"
	(/usr/bin/python3 "$ROOT/tests/api/smtp_sink.py" --host 127.0.0.1 --port "$port" \
		--dir "$RETIVO_VAR/mail" --pidfile "$pidf" </dev/null \
		>>"$RETIVO_VAR/log/smtp.log" 2>&1 &)
	for i in $(seq 1 100); do
		if [ -f "$pidf" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	die "the SMTP sink did not start: see $RETIVO_VAR/log/smtp.log"
}

smtp_stop() { stop_pidfile "$RETIVO_VAR/run/smtp.pid"; }

stack_env() {
	export RETIVO_CONFIG=$RETIVO_VAR/retivo.conf RETIVO_VAR RETIVO_PORT
	export RETIVO_MAILDIR=$RETIVO_VAR/mail
	export RETIVO_LIBEXEC=${RETIVO_LIBEXEC:-$BUILD/fcgi} RETIVO_HTDOCS=$ROOT/htdocs
}

# ---------------------------------------------------------------- web tier
web_start() {
	stack_env
	if [ -f "$RETIVO_VAR/run/lighttpd.pid" ] && kill -0 "$(cat "$RETIVO_VAR/run/lighttpd.pid")" 2>/dev/null; then
		return 0
	fi
	lighttpd -tt -f "$ROOT/conf/lighttpd.conf" >/dev/null || die "lighttpd rejects conf/lighttpd.conf"
	lighttpd -f "$ROOT/conf/lighttpd.conf" || die "lighttpd did not start: see $RETIVO_VAR/log/lighttpd-error.log"
	local i
	for i in $(seq 1 100); do
		if curl -s -o /dev/null "http://127.0.0.1:$RETIVO_PORT/api/health" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	die "lighttpd is not answering on port $RETIVO_PORT"
}

stop_pidfile() { # file
	local f=$1 pid i
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

web_stop() { stop_pidfile "$RETIVO_VAR/run/lighttpd.pid"; }

stack_stop() {
	web_stop
	smtp_stop
	stop_pidfile "$RETIVO_VAR/run/mysqld.pid"
}

# -------------------------------------------------------------------- demo
admin() { "$BUILD/jobs/retivo-admin" "$@"; }

json_field() { # json key — a top-level or key.sub string field
	python3 -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$1" "$2" 2>/dev/null || sed -n "s/.*\"${2##*.}\":\"\([^\"]*\)\".*/\1/p" <<<"$1"
}

seed_demo() {
	local demo=$RETIVO_VAR/demo.json base="http://127.0.0.1:$RETIVO_PORT" key
	if [ -f "$demo" ]; then
		key=$(json_field "$(cat "$demo")" live_key)
		if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/api/keys")" = 200 ]; then
			return 0
		fi
	fi
	local t p live test partner tid pid suffix
	suffix=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	t=$(admin tenant create --name "Demo Store" --slug "demo-$suffix" --plan growth --role standalone) ||
		die "demo tenant: $t"
	tid=$(json_field "$t" id)
	live=$(json_field "$(admin key create --tenant "$tid" --mode live --scopes full --label demo-live)" api_key)
	test=$(json_field "$(admin key create --tenant "$tid" --mode test --scopes full --label demo-test)" api_key)
	p=$(admin tenant create --name "Demo Partner" --slug "demo-partner-$suffix" --plan scale --role partner) ||
		die "demo partner: $p"
	pid=$(json_field "$p" id)
	partner=$(json_field "$(admin key create --tenant "$pid" --mode live --scopes partner --label demo-partner)" api_key)
	admin playbooks seed --tenant "$tid" --activate >/dev/null || die "demo playbooks failed"
	cat >"$demo" <<EOF
{"base_url": "$base", "tenant_id": "$tid", "live_key": "$live", "test_key": "$test", "partner_tenant_id": "$pid", "partner_key": "$partner"}
EOF
}

stack_start() {
	db_start
	smtp_start
	write_config
	stack_env
	admin migrate >/dev/null || die "migration failed"
	web_start
}

# -------------------------------------------------------------------- test
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

# Runs one TAP-producing command, appends its output to the results.
tap_run() { # label logfile command...
	local label=$1 log=$2; shift 2
	say "test: $label"
	set +e
	"$@" >"$log" 2>&1
	local rc=$?
	set -e
	local pass fail
	pass=$(grep -c '^ok ' "$log" || true)
	fail=$(grep -c '^not ok ' "$log" || true)
	grep '^not ok\|^#   failed' "$log" | head -40 >&2 || true
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		say "$label exited $rc with no failing test point: counted as one failure"
		tail -20 "$log" >&2
		fail=1
	fi
	say "$label: $pass passed, $fail failed"
	TOTAL_PASS=$((TOTAL_PASS + pass))
	TOTAL_FAIL=$((TOTAL_FAIL + fail))
}

unit_tests() { # builddir label
	local dir=$1 label=$2 t log
	make -s -C "$dir" -j"$(nproc)" check TESTS= >/dev/null 2>&1 || true
	for t in "$dir"/tests/unit/test_*; do
		[ -x "$t" ] && [ ! -d "$t" ] || continue
		case "$t" in *.o|*.log|*.trs) continue ;; esac
		log=$TEST_VAR/$(basename "$t")-$label.log
		tap_run "$label $(basename "$t")" "$log" env \
			JSON_SCHEMA_TEST_SUITE=/usr/share/json-schema-test-suite/tests/draft7 "$t"
	done
}

api_tests() { # builddir label
	local dir=$1 label=$2
	export RETIVO_BASE_URL="http://127.0.0.1:$RETIVO_PORT"
	export RETIVO_ADMIN="$dir/jobs/retivo-admin"
	export RETIVO_RECEIVER="$dir/tests/api/retivo-receiver"
	export RETIVO_SQL="mariadb --no-defaults --user=root --socket=$(db_sock) -N retivo"
	tap_run "$label api" "$TEST_VAR/api-$label.log" "$dir/tests/api/retivo-apitest" \
		${API_SUITES[@]+"${API_SUITES[@]}"}
}

# make distcheck in a scratch build directory, as one TAP test point.
distcheck() {
	local dir=$TEST_VAR/distcheck
	mkdir -p "$dir"
	if (cd "$dir" && "$ROOT/configure" -q && make -s -j"$(nproc)" distcheck) >"$dir.out" 2>&1; then
		echo "ok 1 - make distcheck"
	else
		echo "not ok 1 - make distcheck"
		tail -15 "$dir.out" | sed 's/^/#   /'
	fi
}

run_tests() {
	API_SUITES=("$@")
	install_packages
	build_tree "$BUILD"
	TOTAL_PASS=0
	TOTAL_FAIL=0
	TEST_VAR=$(mktemp -d /tmp/retivo-test.XXXXXX)
	RETIVO_VAR=$TEST_VAR
	RETIVO_PORT=$(free_port)
	trap 'stack_stop >/dev/null 2>&1 || true; rm -rf "$TEST_VAR"' EXIT

	if [ -n "${RETIVO_TEST_QUICK:-}" ]; then
		# Development loop only: unit and API tests of the plain build.
		say "RETIVO_TEST_QUICK set: configure test, distcheck and sanitizer builds skipped"
		unit_tests "$BUILD" unit
		stack_start
		api_tests "$BUILD" plain
		stack_stop
		echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
		[ "$TOTAL_FAIL" -eq 0 ]
		return
	fi
	tap_run "configure" "$TEST_VAR/configure.log" "$ROOT/tests/build/test_configure.sh"
	tap_run "distcheck" "$TEST_VAR/distcheck.log" distcheck
	unit_tests "$BUILD" unit
	stack_start
	api_tests "$BUILD" plain

	# The same unit and API tests under AddressSanitizer and UBSan: the
	# FastCGI programs are swapped for instrumented builds on the same DB.
	say "building with -fsanitize=address,undefined"
	build_tree "$BUILD_ASAN" \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined"
	mkdir -p "$TEST_VAR/asan"
	export ASAN_OPTIONS="log_path=$TEST_VAR/asan/report:detect_leaks=1:abort_on_error=0"
	export UBSAN_OPTIONS="print_stacktrace=1:log_path=$TEST_VAR/asan/report"
	unit_tests "$BUILD_ASAN" asan
	web_stop
	RETIVO_LIBEXEC=$BUILD_ASAN/fcgi web_start
	# The API test client itself is not what is under test; keep it quiet.
	ASAN_OPTIONS="detect_leaks=0" api_tests "$BUILD_ASAN" asan
	web_stop
	if compgen -G "$TEST_VAR/asan/report*" >/dev/null; then
		say "sanitizer reports:"
		cat "$TEST_VAR"/asan/report* | head -80 >&2
		TOTAL_FAIL=$((TOTAL_FAIL + 1))
		say "sanitizers: 0 passed, 1 failed"
	else
		TOTAL_PASS=$((TOTAL_PASS + 1))
		say "sanitizers: no reports from unit tests or FastCGI programs"
	fi
	unset ASAN_OPTIONS UBSAN_OPTIONS
	stack_stop
	echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
	[ "$TOTAL_FAIL" -eq 0 ]
}

# -------------------------------------------------------------------- main
cmd=${1:-start}
case "$cmd" in
start)
	install_packages
	build_tree "$BUILD"
	stack_start
	seed_demo
	say "Retivo serves http://127.0.0.1:$RETIVO_PORT/ — credentials in $RETIVO_VAR/demo.json"
	;;
stop)
	stack_stop
	say "stopped the stack in $RETIVO_VAR"
	;;
test)
	shift
	run_tests "$@"
	;;
job)
	shift
	[ $# -ge 1 ] || die "usage: ./run.sh job NAME [--now ISO-8601] [args]"
	name=$1; shift
	stack_env
	bin=$BUILD/jobs/retivo-$name
	[ -x "$bin" ] || die "no such job: $name (looked for $bin)"
	exec "$bin" "$@"
	;;
*)
	die "usage: ./run.sh [start|stop|test|job NAME [--now ISO-8601]]"
	;;
esac
