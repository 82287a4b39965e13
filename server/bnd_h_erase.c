/* bnd_h_erase.c: PAIR_ERASE, the crypto-shredding of an ended pair and
 * of what one member wrote (DESIGN.md, "Ending, erasing, re-pairing"),
 * and RETENTION_SET, the programme's retention period.
 *
 * The whole pair goes only when every member asked for it (each asks
 * with a PAIR_ERASE log entry they sign: the server cannot make one up),
 * or once the programme's retention period has passed since the pair
 * ended (then a member or an administrator asks, and the server acts on
 * its own clock). A member erases what they wrote themselves (their note
 * revisions and documents) at any time, alone, with a signed entry too.
 *
 * What goes with the pair: note envelopes, objective envelopes, documents
 * and their chunks, key wraps, log entries. What stays, for the
 * programme's statistics: the pair record (status erased, end reason
 * kept), members, charter acceptances, sessions, note metadata (kind,
 * author, dates, size; the envelope hash is zeroed), objective statuses
 * and dates (the envelope emptied), its counters. Every value is zeroed
 * in place before it is deleted or shrunk, and the writer scrubs the
 * pages the transaction freed before the reply goes (bnd_store_scrub), so
 * the ciphertext leaves the disk too, not only the index. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnd_deliver.h"
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
        bn_rec_member m;
        if (id == 0)
            return BN_ENOTFOUND;
        rc = bnd_rec_get(cx->st, cx->txn,
                         bnd_key_members(id, cx->actor.account_id), &m,
                         &cx->arena);
        if (rc != 0)
            return rc;
        if (m.to_epoch != 0) /* a member who left asks nothing more */
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

int bnd_pair_shred(bnd_ctx *cx, const bn_rec_pair *p)
{
    int rc;

    /* every key of the pair in these databases: its first part */
    const bnd_key gone[] = {bnd_key_prefix(bnd_key_note_envs(p->id, 0, 0), 1),
                            bnd_key_prefix(bnd_key_doc_chunks(p->id, 0, 0), 1),
                            bnd_key_prefix(bnd_key_docs(p->id, 0), 1),
                            bnd_key_prefix(bnd_key_wraps(p->id, 0, 0), 1),
                            bnd_key_prefix(bnd_key_side_wraps(p->id, 0, 0), 1),
                            bnd_key_prefix(bnd_key_log(p->id, 0), 1),
                            bnd_key_prefix(bnd_key_erased_keys(p->id, 0), 1)};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        rc = bnd_del_prefix(cx->st, cx->txn, gone[i], 1, 0, NULL);
        if (rc != 0)
            return rc;
    }
    rc = bnd_quota_pair_erased(cx->st, cx->txn, p->id);
    if (rc != 0)
        return rc;
    rc = bnd_scan_key(cx, bnd_key_notes(p->id, 0, 0), 1, strip_note, NULL);
    if (rc < 0)
        return rc;
    rc = bnd_scan_key(cx, bnd_key_objectives(p->id, 0), 1, strip_objective,
                      NULL);
    if (rc < 0)
        return rc;
    bnd_store_want_scrub(cx->st);
    return 0;
}

/* shred_pair erases the whole of pair p (ended) and marks it erased. */
static int shred_pair(bnd_ctx *cx, bn_rec_pair *p)
{
    int rc = bnd_pair_shred(cx, p);

    if (rc != 0)
        return rc;
    uint8_t old_status = p->status;
    p->status = BN_PAIR_ERASED;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_pairs(p->id), p, 0);
    /* The pair's counters stay; the programme's move it from completed
     * or withdrawn to erased, and the statistics count an erased pair by
     * its end reason (bnc_stats_derive): a withdrawal stays one. */
    if (rc == 0)
        rc = bnd_stats_pair_status(cx->st, cx->txn, p->programme_id, old_status,
                                   BN_PAIR_ERASED);
    if (rc == 0)
        bnd_store_want_scrub(cx->st);
    return rc;
}

/* ---- who asked --------------------------------------------------------- */

typedef struct erase_state {
    uint64_t members[BN_MEMBERS_MAX];
    uint32_t nmembers;
    bn_erase_consent consents[BN_MEMBERS_MAX];
    uint32_t nconsents;
} erase_state;

static int take_member(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                       void *arg)
{
    erase_state *es = arg;
    bnd_keyp_members kp;
    bn_rec_member m;
    int rc;

    if (bnd_key_parse_members(key, &kp) != 0)
        return BN_ECORRUPT;
    rc = bnd_rec_decode(val, &bn_desc_rec_member, &m, &cx->arena);
    if (rc != 0)
        return rc;
    if (m.to_epoch != 0)
        return 0; /* left the pair: not asked */
    rc = bnd_account_erased(cx, kp.account_id, NULL);
    if (rc != 0) /* erased (issue 15): left for good, not asked either */
        return rc < 0 ? rc : 0;
    if (es->nmembers == BN_MEMBERS_MAX)
        return BN_ECORRUPT;
    es->members[es->nmembers++] = kp.account_id;
    return 0;
}

/* A member's consent is their own signed PAIR_ERASE entry (sub
 * BN_LOG_ERASE_PAIR) in the pair's log: the first one of each member. */
static int take_consent(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                        void *arg)
{
    erase_state *es = arg;
    bn_rec_log l;
    bn_log_entry e;
    int rc;

    (void)key;
    rc = bnd_rec_decode(val, &bn_desc_rec_log, &l, &cx->arena);
    if (rc != 0)
        return rc;
    if (bn_log_entry_decode(&e, l.entry.ptr, l.entry.len) != 0)
        return BN_ECORRUPT;
    if (e.version != BN_LOG_VERSION || e.op != BN_MSG_PAIR_ERASE ||
        e.sub != BN_LOG_ERASE_PAIR)
        return 0;
    for (uint32_t i = 0; i < es->nconsents; i++)
        if (es->consents[i].account_id == e.author_id)
            return 0;
    if (es->nconsents == BN_MEMBERS_MAX)
        return 0;
    bn_erase_consent *c = &es->consents[es->nconsents++];
    memset(c, 0, sizeof *c);
    c->account_id = e.author_id;
    c->time = e.time;
    c->seq = e.seq;
    return 0;
}

/* Reads the members of p and who of them asked to erase it. */
static int read_state(bnd_ctx *cx, const bn_rec_pair *p, erase_state *es)
{
    int rc;

    memset(es, 0, sizeof *es);
    rc = bnd_scan_key(cx, bnd_key_members(p->id, 0), 1, take_member, es);
    if (rc >= 0)
        rc = bnd_scan_key(cx, bnd_key_log(p->id, 0), 1, take_consent, es);
    return rc < 0 ? rc : 0;
}

/* 1 when every member of the pair asked. */
static int all_asked(const erase_state *es)
{
    for (uint32_t i = 0; i < es->nmembers; i++) {
        uint32_t j = 0;
        while (j < es->nconsents &&
               es->consents[j].account_id != es->members[i])
            j++;
        if (j == es->nconsents)
            return 0;
    }
    return es->nmembers > 0;
}

int bnd_retention_days(bnd_ctx *cx, uint64_t programme, uint32_t *days)
{
    bn_rec_retention r;
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_retention(programme), &r,
                         &cx->arena);
    *days = 0;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc == 0)
        *days = r.days;
    return rc;
}

/* The first day the retention period allows erasing ended pair p without
 * its members (0: never). */
static int erase_after(bnd_ctx *cx, const bn_rec_pair *p, uint32_t *out)
{
    uint32_t days;
    int rc = bnd_retention_days(cx, p->programme_id, &days);

    *out = 0;
    if (rc == 0 && days > 0 && p->end_date != 0)
        *out = p->end_date + days;
    return rc;
}

/* ---- one's own words -------------------------------------------------- */

typedef struct own_items {
    bnd_key *keys;
    uint64_t *bytes;
    size_t n, cap;
    uint64_t author;
} own_items;

static int own_add(own_items *o, bnd_key k, uint64_t bytes)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        bnd_key *nk = realloc(o->keys, cap * sizeof *nk);
        if (nk == NULL)
            return BN_ENOMEM;
        o->keys = nk;
        uint64_t *nb = realloc(o->bytes, cap * sizeof *nb);
        if (nb == NULL)
            return BN_ENOMEM;
        o->bytes = nb;
        o->cap = cap;
    }
    o->keys[o->n] = k;
    o->bytes[o->n++] = bytes;
    return 0;
}

static int own_note(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                    void *arg)
{
    own_items *o = arg;
    bnd_keyp_notes kp;
    bn_rec_note n;
    int rc;

    if (bnd_key_parse_notes(key, &kp) != 0)
        return BN_ECORRUPT;
    rc = bnd_rec_decode(val, &bn_desc_rec_note, &n, &cx->arena);
    if (rc != 0 || n.author_id != o->author)
        return rc;
    return own_add(o, bnd_key_notes(kp.pair_id, kp.note_id, kp.revision),
                   (uint64_t)n.size + BND_QUOTA_ITEM_BYTES);
}

static int own_doc(bnd_ctx *cx, const MDB_val *key, const MDB_val *val,
                   void *arg)
{
    own_items *o = arg;
    bnd_keyp_docs kp;
    bn_rec_doc d;
    int rc;

    if (bnd_key_parse_docs(key, &kp) != 0)
        return BN_ECORRUPT;
    rc = bnd_rec_decode(val, &bn_desc_rec_doc, &d, &cx->arena);
    if (rc != 0 || d.author_id != o->author)
        return rc;
    return own_add(o, bnd_key_docs(kp.pair_id, kp.doc_id),
                   bnd_quota_doc_cost(&d));
}

/*
 * erase_own deletes, shredded, every note revision (metadata and
 * envelope) and every document (record and chunks) of pair p that the
 * caller wrote; *count gets how many. The partner's items are not
 * touched. The caller's signed PAIR_ERASE entry (mine) tells the
 * members' clients that these items went by their author's will.
 */
static int erase_own(bnd_ctx *cx, const bn_rec_pair *p, uint32_t *count)
{
    own_items notes = {.author = cx->actor.account_id};
    own_items docs = {.author = cx->actor.account_id};
    int rc;

    *count = 0;
    rc = bnd_scan_key(cx, bnd_key_notes(p->id, 0, 0), 1, own_note, &notes);
    if (rc >= 0)
        rc = bnd_scan_key(cx, bnd_key_docs(p->id, 0), 1, own_doc, &docs);
    if (rc < 0)
        goto cleanup;
    rc = 0;
    for (size_t i = 0; i < notes.n && rc == 0; i++) {
        bnd_keyp_notes kp;
        MDB_val kv = bnd_key_val(&notes.keys[i]);
        if (bnd_key_parse_notes(&kv, &kp) != 0) {
            rc = BN_ECORRUPT;
            break;
        }
        bnd_key env = bnd_key_note_envs(kp.pair_id, kp.note_id, kp.revision);
        rc = bnd_shred(cx->st, cx->txn, env);
        if (rc == 0 || rc == BN_ENOTFOUND)
            rc = bnd_rec_del(cx->st, cx->txn, env);
        if (rc == BN_ENOTFOUND)
            rc = 0;
        if (rc == 0)
            rc = bnd_shred(cx->st, cx->txn, notes.keys[i]);
        if (rc == 0)
            rc = bnd_rec_del(cx->st, cx->txn, notes.keys[i]);
        if (rc == 0)
            rc = bnd_quota_release(cx->st, cx->txn, p->id, notes.author,
                                   notes.bytes[i]);
    }
    for (size_t i = 0; i < docs.n && rc == 0; i++) {
        bnd_keyp_docs kp;
        MDB_val kv = bnd_key_val(&docs.keys[i]);
        if (bnd_key_parse_docs(&kv, &kp) != 0) {
            rc = BN_ECORRUPT;
            break;
        }
        rc = bnd_del_prefix(
            cx->st, cx->txn,
            bnd_key_prefix(bnd_key_doc_chunks(kp.pair_id, kp.doc_id, 0), 2), 1,
            0, NULL);
        if (rc == 0) /* its self-diagnosis mark goes with it */
            rc = bnd_doc_mark_del(cx, kp.pair_id, kp.doc_id);
        if (rc == 0)
            rc = bnd_shred(cx->st, cx->txn, docs.keys[i]);
        if (rc == 0)
            rc = bnd_rec_del(cx->st, cx->txn, docs.keys[i]);
        if (rc == 0)
            rc = bnd_quota_release(cx->st, cx->txn, p->id, docs.author,
                                   docs.bytes[i]);
    }
    if (rc == 0) {
        *count = (uint32_t)(notes.n + docs.n);
        if (*count > 0)
            bnd_store_want_scrub(cx->st);
    }
cleanup:
    free(notes.keys);
    free(notes.bytes);
    free(docs.keys);
    free(docs.bytes);
    return rc;
}

/* ---- the handlers ----------------------------------------------------- */

/* Fills the PAIR_ERASURE reply from p and es. */
static int reply_state(bnd_ctx *cx, const bn_rec_pair *p, const erase_state *es,
                       uint32_t after, uint32_t items)
{
    bn_pair_erasure *o = &cx->rep->u.pair_erasure;
    int rc = bnd_pair_info(cx, p, &o->pair);

    if (rc != 0)
        return rc;
    if (es != NULL && es->nconsents > 0) {
        o->consents.v =
            bnd_ctx_alloc(cx, es->nconsents * sizeof *o->consents.v);
        if (o->consents.v == NULL)
            return BN_ENOMEM;
        memcpy(o->consents.v, es->consents,
               es->nconsents * sizeof *o->consents.v);
        o->consents.len = es->nconsents;
    }
    o->erase_after = after;
    o->items_erased = items;
    return 0;
}

/*
 * PAIR_ERASE. With mine, a member erases what they wrote (any pair of
 * theirs, at any time; logged). Without, on an ended pair: a member's
 * request records their consent (logged), and the pair is erased once
 * every member consented, or once the programme's retention period has
 * passed since it ended (then a member's or an administrator's request
 * erases it). An administrator's request before that is refused with
 * what is missing. The answer is the state: who asked, from when the
 * retention period allows it, whether it is erased.
 */
int bnd_h_pair_erase(bnd_ctx *cx, const bn_msg *req)
{
    const bn_pair_erase *r = &req->u.pair_erase;
    int admin = cx->actor.role == BN_ROLE_ADMIN;
    erase_state es;
    bn_rec_pair p;
    uint32_t after = 0, items = 0;
    int rc;

    rc = erase_target(cx, r->pair_id, &p);
    if (rc != 0)
        return rc;
    if (p.status == BN_PAIR_ERASED)
        return reply_state(cx, &p, NULL, 0, 0);
    if (admin && (r->mine || r->entry.len != 0)) {
        cx->errmsg = "an administrator writes nothing in a pair: only its "
                     "members erase what they wrote ('--mine')";
        return BN_EINVAL;
    }
    if (r->mine) {
        rc = bnd_pairlog_append(cx, &p, req, NULL);
        if (rc == BND_LANDED) /* a retry: done then */
            rc = bnd_get_pair(cx, p.id, &p);
        else if (rc == 0)
            rc = erase_own(cx, &p, &items);
        if (rc == 0)
            rc = read_state(cx, &p, &es);
        if (rc == 0 &&
            (p.status == BN_PAIR_COMPLETED || p.status == BN_PAIR_WITHDRAWN))
            rc = erase_after(cx, &p, &after);
        return rc != 0 ? rc : reply_state(cx, &p, &es, after, items);
    }
    if (p.status != BN_PAIR_COMPLETED && p.status != BN_PAIR_WITHDRAWN) {
        cx->errmsg = "only an ended pair can be erased: a member ends it "
                     "first ('binome pair end PAIR --reason ...'); what you "
                     "wrote yourself you can erase at any time ('binome "
                     "erase PAIR --mine')";
        return BN_EINVAL;
    }
    if (!admin) {
        rc = bnd_pairlog_append(cx, &p, req, NULL);
        if (rc == BND_LANDED)
            rc = bnd_get_pair(cx, p.id, &p);
        if (rc != 0)
            return rc;
    }
    rc = read_state(cx, &p, &es);
    if (rc == 0)
        rc = erase_after(cx, &p, &after);
    if (rc != 0)
        return rc;
    if (all_asked(&es) || (after != 0 && cx->today >= after)) {
        rc = shred_pair(cx, &p);
        if (rc != 0)
            return rc;
    } else if (admin) {
        char *msg = bnd_ctx_alloc(cx, BN_ERRMSG_MAX);
        if (msg == NULL)
            return BN_ENOMEM;
        if (after != 0) {
            int y, m, d;
            bn_date_to_ymd(after, &y, &m, &d);
            snprintf(msg, BN_ERRMSG_MAX,
                     "pair %" PRIu64 " cannot be erased yet: %u of its %u "
                     "members asked; it can be erased from %04d-%02d-%02d "
                     "(the programme's retention period), or as soon as "
                     "every member asks ('binome erase PAIR')",
                     p.id, es.nconsents, es.nmembers, y, m, d);
        } else {
            snprintf(msg, BN_ERRMSG_MAX,
                     "pair %" PRIu64 " cannot be erased: %u of its %u "
                     "members asked, and erasing needs every member "
                     "('binome erase PAIR') or a retention period that has "
                     "passed ('binome admin retention --programme P --days "
                     "N'; this programme has none)",
                     p.id, es.nconsents, es.nmembers);
        }
        cx->errmsg = msg;
        return BN_EDENIED;
    }
    return reply_state(cx, &p, &es, after, 0);
}

/* RETENTION_SET: an administrator sets a programme's retention period
 * (days after a pair ended; 0: never without every member). The answer
 * is OK with the days. */
int bnd_h_retention_set(bnd_ctx *cx, const bn_msg *req)
{
    const bn_retention_set *r = &req->u.retention_set;
    bn_rec_programme prog;
    bn_rec_retention rec;
    int rc;

    rc = bnd_get_programme(cx, r->programme_id, &prog);
    if (rc != 0)
        return rc;
    rec.days = r->days;
    rec.set_by = cx->actor.account_id;
    rec.set_at = cx->now;
    rc = bnd_rec_put(cx->st, cx->txn, bnd_key_retention(r->programme_id), &rec,
                     0);
    if (rc == 0)
        cx->rep->u.ok.value = r->days;
    return rc;
}
