#!/bin/sh
# Runs a command under valgrind memcheck with the Go suppressions (go.supp
# says what they hide and what still counts). Exit 9 on any error or leak.
# A test may replace operator new and delete (test_hpp.cpp does, to inject
# std::bad_alloc): nouserintercepts leaves those to the test, whose own
# calls of malloc and free memcheck still checks.
# Usage: memcheck.sh COMMAND [ARG...]
#
# GODEBUG=madvdontneed=0: the Go runtime then returns memory with MADV_FREE,
# not MADV_DONTNEED. After MADV_DONTNEED, memcheck marks the pages undefined
# while the runtime knows they read as zero and reuses them without clearing;
# bytes later copied out of them (a result string) then look uninitialised
# in the host (about one run in four of test_contract).
export GODEBUG="${GODEBUG:+$GODEBUG,}madvdontneed=0"
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
    --soname-synonyms=somalloc=nouserintercepts \
    --suppressions="$(dirname "$0")/go.supp" --error-exitcode=9 "$@"
