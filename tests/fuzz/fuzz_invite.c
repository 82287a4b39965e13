/* libFuzzer target: invitation code and HOST:PORT parsing. A code that
 * parses must format back to a code that parses to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bn_invite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    bn_invite_code c, again;
    if (bn_invite_parse(&c, s) == 0) {
        char out[BN_INVITE_CODE_MAX];
        if (bn_invite_format(out, sizeof out, &c) != 0 ||
            bn_invite_parse(&again, out) != 0 ||
            memcmp(c.server_pk, again.server_pk, 32) != 0 ||
            memcmp(c.token, again.token, 32) != 0 ||
            strcmp(c.host, again.host) != 0 || c.port != again.port)
            abort();
    }
    char host[BN_INVITE_HOST_MAX + 1];
    uint16_t port;
    if (bn_hostport_parse(s, host, &port) == 0 && (port == 0 || host[0] == 0))
        abort();
    free(s);
    return 0;
}
