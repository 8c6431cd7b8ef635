#!/bin/sh
# ABI checks of a built library: usage check_abi.sh BUILD_DIR SONAME
# (CMake, which reads the ABI version from the header, passes the SONAME).
#  - the public header compiles alone as C99 and as C++17, without warnings;
#  - it agrees with the header cgo generates (tests/c/header_agree.c);
#  - the functions it declares are exactly the symbols the .so exports;
#  - the .so has its SONAME.
set -eu
build=$1
soname=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
hdr=$build/include/agentbay.h
so=$build/$soname
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c "$hdr"
${CXX:-c++} -std=c++17 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ "$hdr"
printf '#include "agentbay.h"\n#include "agentbay.h"\nint main(void) { return ab_abi_version() != AB_ABI_VERSION; }\n' \
    > "$tmp/twice.c"
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$build/include" "$tmp/twice.c"
${CC:-cc} -Wall -Wextra -Werror -fsyntax-only -I"$build/include" -I"$top/capi" -I"$build/internal" \
    "$top/tests/c/header_agree.c"
echo "header: compiles as C99 and C++17, agrees with cgo's header"

# Declarations, read after the preprocessor has removed the comments.
${CC:-cc} -E -P -x c "$hdr" | grep -oE '\bab_[a-z0-9_]+[[:space:]]*\(' | tr -d ' (' | sort -u > "$tmp/declared"
nm -D --defined-only "$so" | awk '{ print $3 }' | sort -u > "$tmp/exported"
if ! diff -u "$tmp/declared" "$tmp/exported"; then
    echo "FAIL: the header's functions (-) and the library's exports (+) differ" >&2
    exit 1
fi
echo "exports: the $(wc -l < "$tmp/declared") functions of the header, nothing else"

readelf -d "$so" | grep -qF "Library soname: [$soname]" || {
    echo "FAIL: $so has no SONAME $soname" >&2
    exit 1
}
echo "soname: $soname"
