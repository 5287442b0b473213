#!/bin/sh
# tests/fuzz/run.sh — builds and runs the template fuzzer (libFuzzer) when
# clang with -fsanitize=fuzzer is available; not part of `make` or
# `./run.sh test`. Usage: tests/fuzz/run.sh [SECONDS] (default 60).
# Needs a configured build for config.h: RETIVO_BUILD (default build/).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${RETIVO_BUILD:-$ROOT/build}
SECS=${1:-60}
OUT=${FUZZ_DIR:-/tmp/retivo-fuzz}
CC=${CLANG:-clang}
command -v "$CC" >/dev/null || { echo "fuzz: no clang, skipped"; exit 0; }
[ -f "$BUILD/config.h" ] || { echo "fuzz: no config.h in $BUILD (configure first)"; exit 1; }
mkdir -p "$OUT/corpus"
# A few seeds: every construct of the syntax once.
printf '\000Hi {{user.first_name|default:"there"}}, {{user.traits.n}}' >"$OUT/corpus/a"
printf '\001{{#if user.plan}}<b>{{user.name}}</b>{{else}}x{{/if}}{{! c }}' >"$OUT/corpus/b"
printf '\000{{#if a}}{{#if b}}{{user.traits.l.1}}{{/if}}{{/if}}{{nope}}' >"$OUT/corpus/c"
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -I"$BUILD" -I"$ROOT/lib" \
	$(pkg-config --cflags json-c) \
	"$ROOT/tests/fuzz/fuzz_template.c" "$ROOT/lib/template.c" "$ROOT/lib/quality.c" \
	$(pkg-config --libs json-c) -o "$OUT/fuzz_template"
"$OUT/fuzz_template" -max_total_time="$SECS" -max_len=4096 "$OUT/corpus" 2>&1 |
	tail -n 5
