/*
 * bn_audit.c: the rule a live audit's canary follows, shared by the CLI
 * (before it sends) and the daemon (before it searches).
 */
#include "bn_proto.h"

int bn_audit_canary_check(const uint8_t *p, size_t len)
{
    if (p == NULL || len < BN_AUDIT_CANARY_MIN || len > BN_AUDIT_CANARY_MAX)
        return BN_EINVAL;
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return BN_EINVAL;
    return 0;
}
