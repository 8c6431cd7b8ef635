#!/bin/sh
# Runs a command under valgrind memcheck with the Go suppressions (go.supp
# says what they hide and what still counts). Exit 9 on any error or leak.
# Usage: memcheck.sh COMMAND [ARG...]
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
    --suppressions="$(dirname "$0")/go.supp" --error-exitcode=9 "$@"
