#!/bin/sh
# Runs a command under valgrind memcheck with the Go suppressions (go.supp
# says what they hide and what still counts). Exit 9 on any error or leak.
# A test may replace operator new and delete (test_hpp.cpp does, to inject
# std::bad_alloc): nouserintercepts leaves those to the test, whose own
# calls of malloc and free memcheck still checks.
# Usage: memcheck.sh COMMAND [ARG...]
#
# --undef-value-errors=no: memcheck cannot follow which bytes of the Go heap
# are initialised (the runtime hands pages back to the kernel and reuses them
# without clearing them, as the kernel did), so bytes the library copies out
# of it, a result string or a log line, sometimes looked uninitialised in the
# host: 2 runs in 10 of test_api and test_contract, measured. What memcheck
# is here for still counts: reads and writes outside live memory (use after
# free of a string or error object), double frees, and leaks.
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
    --undef-value-errors=no \
    --soname-synonyms=somalloc=nouserintercepts \
    --suppressions="$(dirname "$0")/go.supp" --error-exitcode=9 "$@"
