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
# The CLI sees libbinome through binome.h alone: a copy where it reaches
# into the wire schema, or into the library's insides, is caught.
rm -rf "$T/tree" && mkdir -p "$T/tree"
for m in common crypto proto server client; do
    cp -r "$top/$m" "$T/tree/"
done
printf '#include "bn_proto.h"\n' >>"$T/tree/client/cli/cli_audit.c"
printf '#include "bnc_internal.h"\n' >>"$T/tree/client/cli/cli_join.c"
sh "$top/scripts/check_layers.sh" "$T/tree" >"$T/out" 2>&1
if grep -q "client/cli/cli_audit.c includes bn_proto.h (proto)" "$T/out" &&
    grep -q "client/cli/cli_join.c includes bnc_internal.h (client/lib, not binome.h)" "$T/out"; then
    ok "the CLI including proto or bnc_internal.h is caught"
else
    not_ok "the CLI including proto or bnc_internal.h is caught"
    sed 's/^/#   /' "$T/out"
fi
finish
