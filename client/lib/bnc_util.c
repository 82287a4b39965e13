/*
 * bnc_util.c: the floor of libbinome. The small functions binome.h offers
 * beside the client (initialisation, version, error messages, dates,
 * hashing, ids, text checks), the helpers every other file of the library
 * uses (bnc__copy_str, bnc__append), and the compile-time proof that the
 * numbers binome.h gives its callers are the ones the wire and the
 * library use. It calls no other file of the library.
 */
#include "bn_text.h"
#include "bn_version.h"
#include "bnc_internal.h"

#include <string.h>

/* ---- binome.h's numbers are the wire's ---------------------------- */

/* Every BN_E* code has its BNC_E* twin of the same value, and the other
 * way round: a code added to one list and not the other stops the
 * build. */
#define BNC__SAME_ERR(name, value, msg)                                        \
    _Static_assert((int)BNC_E##name == (int)BN_E##name, "BNC_E" #name);
BN_ERR_MAP(BNC__SAME_ERR)
#undef BNC__SAME_ERR
#define BNC__SAME_ERR(name, value)                                             \
    _Static_assert((int)BNC_E##name == (int)BN_E##name &&                      \
                       BNC_E##name == (value),                                 \
                   "BN_E" #name);
BNC_ERR_MAP(BNC__SAME_ERR)
#undef BNC__SAME_ERR

#define BNC__SAME(a)                                                           \
    _Static_assert((long long)BNC_##a == (long long)BN_##a, "BNC_" #a)
BNC__SAME(NAME_MAX);
BNC__SAME(TITLE_MAX);
BNC__SAME(CHARTER_MAX);
BNC__SAME(MONTHS_MAX);
BNC__SAME(TTL_DAYS_MAX);
BNC__SAME(RETENTION_DAYS_MAX);
BNC__SAME(INVITE_HOST_MAX);
BNC__SAME(INVITE_CODE_MAX);
BNC__SAME(NOTE_MAX_PLAINTEXT);
BNC__SAME(DOC_NAME_MAX);
BNC__SAME(SAFETY_DIGITS);
BNC__SAME(HASH_BYTES);
BNC__SAME(AUDIT_CANARY_MIN);
BNC__SAME(AUDIT_CANARY_MAX);
BNC__SAME(AUDIT_CANARIES_MAX);
BNC__SAME(ROLE_ADMIN);
BNC__SAME(ROLE_MENTOR);
BNC__SAME(ROLE_MENTEE);
BNC__SAME(ROLE_AUDITOR);
BNC__SAME(FREQ_WEEKLY);
BNC__SAME(FREQ_FORTNIGHTLY);
BNC__SAME(FREQ_MONTHLY);
BNC__SAME(FREQ_BIMONTHLY);
BNC__SAME(FREQ_QUARTERLY);
BNC__SAME(FORMAT_IN_PERSON);
BNC__SAME(FORMAT_VIDEO);
BNC__SAME(FORMAT_MIXED);
BNC__SAME(PAIR_PENDING);
BNC__SAME(PAIR_ACTIVE);
BNC__SAME(PAIR_COMPLETED);
BNC__SAME(PAIR_WITHDRAWN);
BNC__SAME(PAIR_ERASED);
BNC__SAME(END_COMPLETED);
BNC__SAME(END_WITHDRAWN);
BNC__SAME(END_STALLED);
BNC__SAME(ENDER_MENTOR);
BNC__SAME(ENDER_MENTEE);
BNC__SAME(ENDER_COORDINATOR);
BNC__SAME(MENTEES_PER_MENTOR_MAX);
BNC__SAME(SESSION_PLANNED);
BNC__SAME(SESSION_HELD);
BNC__SAME(SESSION_CANCELLED);
BNC__SAME(ABSENT_MENTOR);
BNC__SAME(ABSENT_MENTEE);
BNC__SAME(ACCEPTED_MENTOR);
BNC__SAME(ACCEPTED_MENTEE);
BNC__SAME(KIND_REPORT);
BNC__SAME(KIND_ACTION_PLAN);
BNC__SAME(KIND_REVIEW);
BNC__SAME(KIND_NOTE);
BNC__SAME(OBJECTIVE_DEFINED);
BNC__SAME(OBJECTIVE_REACHED);
#undef BNC__SAME

/* ---- binome.h's utilities ------------------------------------------ */

int bnc_init(void)
{
    return bn_crypto_init() == 0 ? 0 : BN_EINTERNAL;
}

const char *bnc_version(void)
{
    return BN_VERSION;
}

const char *bnc_strerror(int err)
{
    return bn_strerror(err);
}

int bnc_date_parse(const char *s, uint32_t *day)
{
    return bn_date_parse(s, day);
}

void bnc_date_format(char out[11], uint32_t day)
{
    bn_date_format(out, day);
}

uint32_t bnc_date_today(void)
{
    return bn_date_today();
}

void bnc_hash(uint8_t out[BNC_HASH_BYTES], const void *data, size_t len)
{
    bn_hash(out, (const uint8_t *)data, len);
}

uint64_t bnc_random_id(void)
{
    return bn_random_u64();
}

void bnc_secret_free(void *p, size_t len)
{
    if (p == NULL)
        return;
    sodium_memzero(p, len);
    sodium_free(p);
}

int bnc_text_check(const char *s, size_t len, size_t max)
{
    return bn_str_check(s, len, max);
}

int bnc_invite_check(const char *code)
{
    bn_invite_code inv;
    int rc;

    if (code == NULL)
        return BN_EINVAL;
    rc = bn_invite_parse(&inv, code);
    sodium_memzero(&inv, sizeof inv); /* it holds the token */
    return rc;
}

int bnc_audit_canary_check(const char *text, size_t len)
{
    if (text == NULL)
        return BN_EINVAL;
    return bn_audit_canary_check((const uint8_t *)text, len);
}

/* ---- helpers of the library's files -------------------------------- */

void bnc__copy_str(char *dst, size_t size, bn_str s)
{
    size_t n = s.len < size - 1 ? s.len : size - 1;
    if (n > 0)
        memcpy(dst, s.ptr, n);
    dst[n] = '\0';
}

int bnc__append(void **arr, size_t *n, size_t sz, const void *elem)
{
    return bn_array_append(arr, n, sz, elem);
}
