/* bnd_h_erase.c: PAIR_ERASE, the crypto-shredding of an ended pair
 * (DESIGN.md, "Ending, erasing, re-pairing").
 *
 * What goes: note envelopes, objective envelopes, documents and their
 * chunks, key wraps, log entries. What stays, for the programme's
 * statistics: the pair record (status erased), members, charter
 * acceptances, sessions, note metadata (kind, author, dates, size; the
 * envelope hash is zeroed), objective statuses and dates (the envelope
 * emptied). Every value is zeroed in place before it is deleted or
 * shrunk, and the writer scrubs the pages the transaction freed before
 * the reply goes (bnd_store_scrub), so the ciphertext leaves the disk
 * too, not only the index. */
#include <string.h>

#include "bnd_handlers.h"
#include "bnd_quota.h"
#include "bnd_stats.h"

/* Keys are copied before a rewrite: the cursor's key points into the
 * page that the write replaces. */
static int strip_note(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                      void *arg)
{
    bnd_keyp_notes kp;
    bn_rec_note n;
    int rc;

    (void)arg;
    if (bnd_key_parse_notes(key, &kp) != 0)
        return BN_ECORRUPT;
    bnd_key k = bnd_key_notes(kp.pair_id, kp.note_id, kp.revision);
    rc = bnd_rec_decode(val, &bn_desc_rec_note, &n, &cx->arena);
    if (rc != 0)
        return rc;
    memset(n.env_hash, 0, sizeof n.env_hash);
    rc = bnd_shred(cx->st, cx->txn, k);
    if (rc == 0)
        rc = bnd_rec_put(cx->st, cx->txn, k, &n, 0);
    return rc;
}

static int strip_objective(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                           void *arg)
{
    bnd_keyp_objectives kp;
    bn_rec_objective o;
    int rc;

    (void)arg;
    if (bnd_key_parse_objectives(key, &kp) != 0)
        return BN_ECORRUPT;
    bnd_key k = bnd_key_objectives(kp.pair_id, kp.objective_id);
    rc = bnd_rec_decode(val, &bn_desc_rec_objective, &o, &cx->arena);
    if (rc != 0)
        return rc;
    o.envelope.ptr = NULL;
    o.envelope.len = 0;
    rc = bnd_shred(cx->st, cx->txn, k);
    if (rc == 0)
        rc = bnd_rec_put(cx->st, cx->txn, k, &o, 0);
    return rc;
}

/* Loads the pair for the caller: an administrator (of any programme:
 * administrators are global) or one of its members. An erased pair is
 * found too, so that erasing again is a success. For a member, a pair
 * that is absent or not theirs is one answer, BN_ENOTFOUND (as
 * bnd_member_pair). */
static int erase_target(bnd_ctx *cx, uint64_t id, bn_rec_pair *p)
{
    int rc;

    if (cx->actor.role != BN_ROLE_ADMIN) {
        rc = bnd_exists(cx->st, cx->txn,
                        bnd_key_members(id, cx->actor.account_id));
        if (rc < 0)
            return rc;
        if (rc == 0 || id == 0)
            return BN_ENOTFOUND;
    }
    rc = bnd_get_pair(cx, id, p);
    if (rc != 0)
        return rc;
    if (cx->actor.role != BN_ROLE_ADMIN &&
        p->programme_id != cx->actor.programme_id)
        return BN_ENOTFOUND;
    return 0;
}

int bnd_h_pair_erase(bnd_ctx *cx, const bn_msg *req)
{
    bn_rec_pair p;
    int rc;

    rc = erase_target(cx, req->u.pair_erase.pair_id, &p);
    if (rc != 0)
        return rc;
    if (p.status == BN_PAIR_ERASED)
        goto reply;
    if (p.status != BN_PAIR_COMPLETED && p.status != BN_PAIR_WITHDRAWN) {
        cx->errmsg = "only an ended pair can be erased: a member ends it "
                     "first ('binome pair end PAIR --reason ...')";
        return BN_EINVAL;
    }
    /* every key of the pair in these databases: its first part */
    const bnd_key gone[] = {bnd_key_prefix(bnd_key_note_envs(p.id, 0, 0), 1),
                            bnd_key_prefix(bnd_key_doc_chunks(p.id, 0, 0), 1),
                            bnd_key_prefix(bnd_key_docs(p.id, 0), 1),
                            bnd_key_prefix(bnd_key_wraps(p.id, 0, 0), 1),
                            bnd_key_prefix(bnd_key_log(p.id, 0), 1)};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        rc = bnd_del_prefix(cx->st, cx->txn, gone[i], 1, 0, NULL);
        if (rc != 0)
            return rc;
    }
    rc = bnd_quota_pair_erased(cx->st, cx->txn, p.id);
    if (rc != 0)
        return rc;
    rc = bnd_scan_key(cx, bnd_key_notes(p.id, 0, 0), 1, strip_note, NULL);
    if (rc < 0)
        return rc;
    rc =
        bnd_scan_key(cx, bnd_key_objectives(p.id, 0), 1, strip_objective, NULL);
    if (rc < 0)
        return rc;
    uint8_t old_status = p.status;
    p.status = BN_PAIR_ERASED;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_pairs(p.id), &p, 0);
    if (rc == 0) /* the pair's counters stay: only its status moves */
        rc = bnd_stats_pair_status(cx->st, cx->txn, p.programme_id, old_status,
                                   BN_PAIR_ERASED);
    if (rc != 0)
        return rc;
    bnd_store_want_scrub(cx->st);
reply:
    return bnd_pair_info(cx, &p, &cx->rep->u.pair.pair);
}
