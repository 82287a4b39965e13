/* libFuzzer target: the codes a person types or pastes. Invitation codes,
 * device link codes (BD1.), server codes (BS1.) and HOST:PORT: a code
 * that parses must format back to a code that parses to the same fields.
 * Recovery codes (issue 15): one that parses formats back to a text that
 * parses to the same account and secret; a parse that fails leaves the
 * code zeroed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bn_crypto.h"
#include "bn_invite.h"

static int same(const bn_invite_code *a, const bn_invite_code *b)
{
    return memcmp(a->server_pk, b->server_pk, 32) == 0 &&
           memcmp(a->token, b->token, 32) == 0 &&
           strcmp(a->host, b->host) == 0 && a->port == b->port;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    bn_invite_code c, again;
    char out[BN_INVITE_CODE_MAX];
    if (bn_invite_parse(&c, s) == 0) {
        if (bn_invite_format(out, sizeof out, &c) != 0 ||
            bn_invite_parse(&again, out) != 0 || !same(&c, &again))
            abort();
    }
    if (bn_link_code_parse(&c, s) == 0) {
        if (bn_link_code_format(out, sizeof out, &c) != 0 ||
            bn_link_code_parse(&again, out) != 0 || !same(&c, &again))
            abort();
    }
    if (bn_server_code_parse(&c, s) == 0) {
        if (bn_server_code_format(out, sizeof out, c.server_pk, c.host,
                                  c.port) != 0 ||
            bn_server_code_parse(&again, out) != 0 || !same(&c, &again))
            abort();
    }
    char host[BN_INVITE_HOST_MAX + 1];
    uint16_t port;
    if (bn_hostport_parse(s, host, &port) == 0 && (port == 0 || host[0] == 0))
        abort();

    bn_recovery_code r, r2;
    static const bn_recovery_code zero;
    char text[BN_RECOVERY_TEXT_MAX];
    if (bn_recovery_code_parse(&r, s) == 0) {
        bn_recovery_code_format(&r, text);
        if (bn_recovery_code_parse(&r2, text) != 0 || r.account != r2.account ||
            r.account == 0 ||
            memcmp(r.secret, r2.secret, sizeof r.secret) != 0)
            abort();
    } else if (memcmp(&r, &zero, sizeof r) != 0) {
        abort();
    }
    free(s);
    return 0;
}
