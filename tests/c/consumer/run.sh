#!/bin/sh
# Builds and runs consumer.c against an installed libagentbay, once through
# find_package(agentbay) (shared and static) and once through pkg-config, and
# the C and C++ examples through find_package(agentbay).
# Usage: run.sh PREFIX WORKDIR
set -eu
prefix=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
for tool in cmake pkg-config; do
    command -v $tool >/dev/null || { echo "$tool not found (apt-get install -y $tool)" >&2; exit 1; }
done
rm -rf "$work"
mkdir -p "$work"

cmake -S "$here" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake.log"
cmake --build "$work/cmake" >> "$work/cmake.log"
"$work/cmake/consumer"
"$work/cmake/consumer_static"
"$work/cmake/quickstart" > "$work/quickstart.log"
"$work/cmake/many_sessions" > "$work/many_sessions.log"
echo "consumer: examples built from the installed prefix ran: $(tail -1 "$work/quickstart.log"); $(tail -1 "$work/many_sessions.log")"

pcdir=$(dirname "$(find "$prefix" -name agentbay.pc)")
export PKG_CONFIG_PATH="$pcdir"
libdir=$(pkg-config --variable=libdir agentbay)
# shellcheck disable=SC2046 # the flags are meant to split
${CC:-cc} -std=c99 -Wall -Werror "$here/consumer.c" -o "$work/consumer_pc" \
    $(pkg-config --cflags --libs agentbay) -Wl,-rpath,"$libdir"
"$work/consumer_pc"
