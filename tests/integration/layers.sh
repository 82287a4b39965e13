#!/bin/sh
# layers.sh: the modules stand in floors (scripts/check_layers.sh), and
# the check does fail on a file that includes a header of a floor above.
. "$(dirname "$0")/lib/common.sh"
make_tmp layers
top=$(cd "$(dirname "$0")/../.." && pwd)
if sh "$top/scripts/check_layers.sh" "$top" >"$T/out" 2>&1; then
    ok "no module includes a module above it"
else
    not_ok "no module includes a module above it"
    sed 's/^/#   /' "$T/out"
fi
# The same check on a copy where crypto reaches up into the server.
mkdir -p "$T/tree"
for m in common crypto proto server client; do
    cp -r "$top/$m" "$T/tree/"
done
printf '#include "bnd_server.h"\n' >>"$T/tree/crypto/bn_log.c"
if sh "$top/scripts/check_layers.sh" "$T/tree" >"$T/out" 2>&1; then
    not_ok "an upward include is caught"
elif grep -q "crypto/bn_log.c includes bnd_server.h (server)" "$T/out"; then
    ok "an upward include is caught, naming the file"
else
    not_ok "an upward include is caught, naming the file"
fi
finish
