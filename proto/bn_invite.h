/*
 * bn_invite.h: invitation codes.
 *
 * An invitation code carries everything a new member needs to reach and
 * pin the server: its address and static X25519 public key, and a random
 * single-use token that the server maps to a programme and a role.
 *
 *   BN1.<base64url(server_pk[32] || token[32]), no padding>.<host>:<port>
 *
 * The host may be a name, an IPv4 address or a bracketed IPv6 address.
 */
#ifndef BN_INVITE_H
#define BN_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "bn_err.h"

#define BN_INVITE_HOST_MAX 255
#define BN_INVITE_CODE_MAX (4 + 86 + 1 + BN_INVITE_HOST_MAX + 1 + 5 + 1)

typedef struct bn_invite_code {
    uint8_t server_pk[32];
    uint8_t token[32];
    char host[BN_INVITE_HOST_MAX + 1];
    uint16_t port;
} bn_invite_code;

/* bn_invite_format writes the code and a NUL to out (size bytes). */
int bn_invite_format(char *out, size_t size, const bn_invite_code *c);

/* bn_invite_parse reads a code: 0, or BN_EINVAL naming no detail. */
int bn_invite_parse(bn_invite_code *c, const char *code);

/*
 * A device link's code (issue 15) has the invitation's layout with the
 * prefix BD1. and the link's random token; a server code, BS1.
 * <base64url(server_pk)>.<host>:<port>, says where an account's server is
 * and which key it holds (what `binome recover` needs besides the
 * recovery code). bn_server_code_parse also takes an invitation code and
 * keeps its server part.
 */
int bn_link_code_format(char *out, size_t size, const bn_invite_code *c);
int bn_link_code_parse(bn_invite_code *c, const char *code);
int bn_server_code_format(char *out, size_t size, const uint8_t server_pk[32],
                          const char *host, uint16_t port);
int bn_server_code_parse(bn_invite_code *c, const char *code);

/*
 * bn_hostport_parse splits "HOST:PORT" ("[v6]:PORT" for IPv6) into host
 * (without brackets) and port (1..65535): 0 or BN_EINVAL.
 */
int bn_hostport_parse(const char *s, char host[BN_INVITE_HOST_MAX + 1],
                      uint16_t *port);

#endif
