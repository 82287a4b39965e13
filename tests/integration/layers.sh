#!/bin/sh
# layers.sh: the modules stand in floors (scripts/check_layers.sh), and
# the check does fail on a file that includes a header of a floor above;
# the server's files stand in floors with no cycle among them
# (scripts/check_cycles.sh over this build's objects), and that check
# does fail, naming the call, when a bottom file calls the top.
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
# No cycle among the server's files, read from this build's objects.
if sh "$top/scripts/check_cycles.sh" "$BUILD/obj/server" "$top/server" \
    >"$T/out" 2>&1; then
    ok "the server's files form no cycle"
else
    not_ok "the server's files form no cycle"
    sed 's/^/#   /' "$T/out"
fi
# The same objects, but the session (the bottom) calls the server's stop
# (the top), which reaches sessions through the network layer: a circle.
mkdir -p "$T/obj"
cp "$BUILD"/obj/server/*.o "$T/obj/"
cat >"$T/session.c" <<'EOF'
void bnd_server_stop(void *srv);
void bnd_session_init(void *s) { (void)s; }
void bnd_session_ref(void *s) { bnd_server_stop(s); }
void bnd_session_unref(void *s) { (void)s; }
EOF
${CC:-cc} -c -o "$T/obj/bnd_session.o" "$T/session.c"
if sh "$top/scripts/check_cycles.sh" "$T/obj" "$top/server" >"$T/out" 2>&1
then
    not_ok "a cycle is caught"
elif grep -q "bnd_session -> bnd_server: bnd_server_stop" "$T/out"; then
    ok "a cycle is caught, naming the call that closes it"
else
    not_ok "a cycle is caught, naming the call that closes it"
    sed 's/^/#   /' "$T/out"
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
