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

/*
 * bnc__write sends a write to pair p with its log entry (DESIGN.md, "The
 * pair's log"): entry points at req's entry field. The body hash is the
 * request encoded with id 0 and an empty entry; seq and prev extend p's
 * head. On BN_ESTALE it refreshes the head and signs again, a few times;
 * when the connection drops it reconnects and sends the same request
 * again once (a write that already landed is then a success). After a
 * success p's head (and log/PAIR) move on. rep holds the reply (free with
 * bn_msg_free); a reply of another type than reply_type is BN_EPROTO.
 */
int bnc__write(bnc_client *c, bnc_pair *p, bn_msg *req, bn_bin *entry,
               uint16_t reply_type, bn_msg *rep);

/*
 * bnc__log_open checks the server's log of p against log/PAIR when the
 * pair is opened; expect is PAIR_DETAIL's head. On success p's head is
 * set and log/PAIR saved; on BN_EROLLBACK / BN_ECHAIN c->log_bad_seq
 * names the entry.
 */
int bnc__log_open(bnc_client *c, bnc_pair *p, const bnc_log_head *expect);

/* bnc__members_key is a bn_log_key_fn over a bnc_pair's members. */
int bnc__members_key(void *ctx, uint64_t author_id, uint8_t sign_pk[32]);

/* bnc__content_key picks the pair key of an epoch (BN_ENOTACCEPTED for a
 * pending pair, BN_ENOKEY when this member holds none). */
int bnc__content_key(const bnc_pair *p, uint32_t epoch, const uint8_t **key);

#endif
