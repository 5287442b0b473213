#!/usr/bin/env bash
# test_configure.sh — configure names the Debian package of each missing
# dependency. A pkg-config wrapper hides one module at a time; the test
# runs configure in a scratch directory and reads its error. TAP output.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/retivo-configure.XXXXXX)
trap 'rm -rf "$work"' EXIT
real_pkgconfig=$(command -v pkg-config)
n=0 failed=0

check() { # module-to-hide expected-package
	local hide=$1 pkg=$2 dir=$work/$1 out
	mkdir -p "$dir"
	cat >"$dir/pkg-config" <<WRAP
#!/bin/sh
for a in "\$@"; do case "\$a" in $hide|$hide\ *) exit 1 ;; esac; done
exec $real_pkgconfig "\$@"
WRAP
	chmod +x "$dir/pkg-config"
	out=$(cd "$dir" && PKG_CONFIG="$dir/pkg-config" "$ROOT/configure" 2>&1 >/dev/null)
	n=$((n + 1))
	if printf '%s' "$out" | grep -q "install the Debian package $pkg"; then
		echo "ok $n - configure without $hide names $pkg"
	else
		echo "not ok $n - configure without $hide names $pkg"
		printf '%s\n' "$out" | tail -3 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

check json-c libjson-c-dev
check libcurl libcurl4-openssl-dev
check libcrypto libssl-dev
# mysqlclient is not installed here, so hiding MariaDB's module leaves no fallback.
if ! "$real_pkgconfig" --exists mysqlclient; then
	check libmariadb libmariadb-dev
else
	echo "# skipped: mysqlclient is installed, so hiding libmariadb falls back to it"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
