/*
 * bnc_internal.h: helpers shared by libbinome's files, not part of the
 * public API (binome.h). Names start with bnc__.
 */
#ifndef BNC_INTERNAL_H
#define BNC_INTERNAL_H

#include "binome.h"

/* One pair key per epoch, kept in sodium_malloc memory. */
struct bnc_pair_key {
    uint32_t epoch;
    uint8_t key[BN_KEY_BYTES];
};

/* bnc__parse_u64 reads a decimal number that fills the whole string. */
int bnc__parse_u64(const char *s, uint64_t *v);

/* bnc__mkdir_private makes path (one level) and sets mode 0700. */
int bnc__mkdir_private(const char *path);

/* bnc__copy_str copies a wire string into a fixed buffer (truncating). */
void bnc__copy_str(char *dst, size_t size, bn_str s);

/* bnc__account_from_info copies a decoded account_info. */
void bnc__account_from_info(bnc_account *a, const struct bn_account_info *i);

/* bnc__pair_from_info copies a decoded pair_info. */
void bnc__pair_from_info(bnc_pair_info *p, const struct bn_pair_info *i);

/* bnc__append grows a malloc'd array of n elements of size sz by one. */
int bnc__append(void **arr, size_t *n, size_t sz, const void *elem);

/* bnc__pair_key returns the pair key of an epoch held in p, or NULL. */
const uint8_t *bnc__pair_key(const bnc_pair *p, uint32_t epoch);

/* bnc__expect checks a reply's type: 0 or BN_EPROTO. */
int bnc__expect(const bn_msg *m, uint16_t type);

/*
 * bnc__list_all fetches every page of a list: req's "after" field (pointed
 * to by after) follows the last id of each page; take(rep, ctx, ...) appends a
 * page's items to *arr (malloc'd, *n elements) and reports its last id and
 * more.
 */
typedef int (*bnc__take_fn)(const bn_msg *rep, const void *ctx, void **arr,
                            size_t *n, uint64_t *last, int *more);
int bnc__list_all(bnc_client *c, bn_msg *req, uint64_t *after,
                  uint16_t reply_type, bnc__take_fn take, const void *ctx,
                  void **arr, size_t *n);

#endif
