#!/bin/sh
# Builds the Node addon: build/Release/agentbay.node (or $AGENTBAY_NODE_ADDON_OUT).
# No node-gyp: one C file compiled with gcc against the Node-API headers of
# the npm package node-api-headers. libagentbay is not linked: the addon
# dlopens it at run time (see lib/native.js for the lookup order).
#
# Environment: CC (default gcc), CFLAGS (extra flags), AGENTBAY_INCLUDE (the
# folder of agentbay.h, default ../../include), AGENTBAY_NODE_ADDON_OUT.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if [ ! -f node_modules/node-api-headers/include/node_api.h ]; then
  npm ci --no-audit --no-fund
fi

out=${AGENTBAY_NODE_ADDON_OUT:-$here/build/Release/agentbay.node}
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086 # CFLAGS is a list of flags
${CC:-gcc} -O2 -Wall -Wextra -shared -fPIC ${CFLAGS:-} \
  -I node_modules/node-api-headers/include \
  -I "${AGENTBAY_INCLUDE:-../../include}" \
  src/addon.c -o "$out" -ldl -lpthread
echo "built $out"
