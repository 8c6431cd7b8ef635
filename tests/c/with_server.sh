#!/bin/sh
# Runs a command with AB_TEST_CONFIG set to a client config for a fresh
# agentbay-local server, stopped again afterwards. The valgrind runs use it:
# memcheck cannot follow the embedded backend's sandboxes (namespaces set up
# in forked children), so there the backend runs in a process of its own.
# Usage: with_server.sh AGENTBAY_LOCAL COMMAND [ARG...]
set -eu
server=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/agentbay-test-server.XXXXXX")
key=test-key-$$
# The log exists before the server starts: the background job opens it
# only once it runs, and a busy machine may run the loop below first.
: > "$dir/log"
"$server" serve --listen 127.0.0.1:0 --data "$dir/data" --api-key "$key" > "$dir/log" 2>&1 &
pid=$!
trap 'kill $pid; wait $pid || true; rm -rf "$dir"' EXIT

endpoint=
for _ in $(seq 200); do
    endpoint=$(sed -n 's/^agentbay-local serving \(http:[^ ]*\)$/\1/p' "$dir/log")
    [ -n "$endpoint" ] && break
    sleep 0.05
done
if [ -z "$endpoint" ]; then
    cat "$dir/log" >&2
    exit 1
fi
AB_TEST_CONFIG="{\"endpoint\": \"$endpoint\", \"api_key\": \"$key\"}" "$@"
