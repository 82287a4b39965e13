/*
 * bnc_ledger.c: what a member's client believes about a pair follows from
 * the pair's signed log, never from the server's records (SECURITY.md,
 * "What a malicious server can and cannot do").
 *
 * bnc_pair_open fetches and verifies the whole log (bnc_log.c). This file
 * then checks every record the server serves against it:
 *
 * - membership: each member's PAIR_ACCEPT entry signs the hash of the
 *   member list (bn_members_hash); the list the server shows must be that
 *   one, today exactly the pair's mentor and mentee, holding every epoch;
 * - the pair's state (accepted, active, ended, and how) follows from the
 *   PAIR_ACCEPT and PAIR_END entries;
 * - the epoch follows from the KEY_PUT entries (the first key, then one
 *   more per re-key), and a wrap is used only when the KEY_PUT entry of
 *   its epoch covers it;
 * - each note revision, session, objective and document the server serves
 *   matches the last entry that logged it, and every logged item is
 *   served (else it is withheld), but for note revisions and documents
 *   that their author erased afterwards (a PAIR_ERASE entry with sub
 *   BN_LOG_ERASE_MINE signed by that same author: bnc__erased_by_author).
 *
 * Entries of version 1 (written before schema 4) do not say what they
 * logged: items they cover are shown, the pair carries a warning, and
 * only what version 2 entries logged is checked one by one.
 */
#include "binome.h"
#include "bnc_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const bnc_member *bnc_pair_member(const bnc_pair *p, uint64_t account_id)
{
    for (size_t i = 0; i < p->nmembers; i++)
        if (p->members[i].account_id == account_id)
            return &p->members[i];
    return NULL;
}

int bnc__erased_by_author(const bnc_pair *p, const bn_log_entry *e)
{
    /* p->erased holds each author's last such entry (bnc_log.c) */
    for (size_t i = 0; i < p->nerased; i++)
        if (p->erased[i].author_id == e->author_id)
            return e->seq < p->erased[i].seq;
    return 0;
}

int bnc__tamper(bnc_client *c, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->tamper, sizeof c->tamper, fmt, ap);
    va_end(ap);
    return rc;
}

void bnc__warn(bnc_pair *p, const char *fmt, ...)
{
    va_list ap;

    if (p->nwarnings == BNC_WARNINGS_MAX)
        return;
    va_start(ap, fmt);
    vsnprintf(p->warnings[p->nwarnings], sizeof p->warnings[0], fmt, ap);
    va_end(ap);
    p->nwarnings++;
}

const bn_log_entry *bnc__log_last(const bnc_pair *p, uint8_t op, uint64_t item)
{
    for (size_t i = p->nlog; i-- > 0;) {
        const bn_log_entry *e = &p->log[i];
        if (e->version == BN_LOG_VERSION && e->op == op && e->item == item)
            return e;
    }
    return NULL;
}

const bn_log_entry *bnc__log_at(const bnc_pair *p, uint64_t seq)
{
    /* p->log holds seq 1 .. nlog in order (bnc_log.c checks it). */
    if (seq == 0 || seq > p->nlog || p->log[seq - 1].seq != seq)
        return NULL;
    return &p->log[seq - 1];
}

/* ---- membership, state and epochs ---------------------------------- */

/* current_hash: bn_members_hash of the members p's list shows and `in`
 * marks (NULL: those without to_epoch, the server's current members). */
static int current_hash(const bnc_pair *p, const uint8_t *in,
                        uint8_t out[BN_HASH_BYTES])
{
    bn_member_id m[BN_MEMBERS_MAX];
    size_t n = 0;

    if (p->nmembers > BN_MEMBERS_MAX)
        return BN_EPROTO;
    for (size_t i = 0; i < p->nmembers; i++) {
        if (in != NULL ? !in[i] : p->members[i].to_epoch != 0)
            continue;
        m[n].account_id = p->members[i].account_id;
        m[n].role = p->members[i].role;
        memcpy(m[n].sign_pk, p->members[i].sign_pk, 32);
        memcpy(m[n].box_pk, p->members[i].box_pk, 32);
        n++;
    }
    return bn_members_hash(out, m, n);
}

int bnc__members_hash(const bnc_pair *p, uint8_t out[BN_HASH_BYTES])
{
    return current_hash(p, NULL, out);
}

/* find_accept finds the acceptance the server serves for an account. */
static const struct bn_accept_info *find_accept(const bn_pair_detail *d,
                                                uint64_t account_id)
{
    for (uint32_t i = 0; i < d->accepts.len; i++)
        if (d->accepts.v[i].account_id == account_id)
            return &d->accepts.v[i];
    return NULL;
}

/*
 * The pair's membership as its signed log makes it, entry by entry
 * (issue 14). It starts with the pair's two referents, its mentor and
 * its mentee as the coordinator paired them, holding every epoch from the
 * first; a MEMBER_ADD entry of a side's referent adds a member to that
 * side, a MEMBER_REMOVE entry of the referent removes one; each keys the
 * next epoch, as a KEY_PUT does. Index i is p->members[i]; the server's
 * list must end up exactly what the replay made.
 */
typedef struct roster {
    uint8_t in[BN_MEMBERS_MAX];      /* a member at this point of the log */
    uint8_t seen[BN_MEMBERS_MAX];    /* a member at some point */
    uint8_t signed_[BN_MEMBERS_MAX]; /* their acceptance is logged */
    uint32_t from[BN_MEMBERS_MAX], to[BN_MEMBERS_MAX];
    uint32_t epoch, keyed;  /* the epoch, and the last one keyed */
    uint32_t side_keyed[2]; /* the last epoch each side keyed, 0: none */
    uint8_t accepted;       /* the referents' accepted bits */
} roster;

/* member_at: the index of account in p's list, or -1. */
static int member_at(const bnc_pair *p, uint64_t account)
{
    for (size_t i = 0; i < p->nmembers; i++)
        if (p->members[i].account_id == account)
            return (int)i;
    return -1;
}

/* referent_of: the pair's referent of side (a role), or 0. */
static uint64_t referent_of(const bnc_pair *p, uint8_t side)
{
    return side == BN_ROLE_MENTOR   ? p->info.mentor_id
           : side == BN_ROLE_MENTEE ? p->info.mentee_id
                                    : 0;
}

/* wraps_of collects the wraps served for an epoch (in the order served,
 * which a KEY_PUT's body fixes: increasing member id). */
static uint32_t wraps_of(const bn_pair_detail *d, uint32_t epoch,
                         struct bn_key_wrap *out)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < d->wraps.len && n < BN_MEMBERS_MAX; i++)
        if (d->wraps.v[i].epoch == epoch)
            out[n++] = d->wraps.v[i];
    return n;
}

/* held: member i of p holds a key made for the members `in` marks (and
 * `extra`, -1: none), of one side when side is set (a role). */
static int held(const bnc_pair *p, const roster *r, int extra, uint8_t side,
                int i)
{
    return (r->in[i] || i == extra) &&
           (side == 0 || p->members[i].role == side);
}

/* holders_wraps collects the wraps served for epoch (a side key's when
 * side is set) addressed to its holders (held) or to no member: what the
 * entry that keyed it gave, leaving out the wraps of that epoch that a
 * referent later gave a member with the pair's history. */
static uint32_t holders_wraps(const bnc_pair *p, const roster *r, int extra,
                              uint8_t side, const bn_pair_detail *d,
                              uint32_t epoch, struct bn_key_wrap *out)
{
    const struct bn_key_wrap *v = side ? d->side_wraps.v : d->wraps.v;
    uint32_t len = side ? d->side_wraps.len : d->wraps.len, n = 0;

    for (uint32_t i = 0; i < len && n < BN_MEMBERS_MAX; i++) {
        int k = member_at(p, v[i].member_id);
        if (v[i].epoch == epoch && (k < 0 || held(p, r, extra, side, k)))
            out[n++] = v[i];
    }
    return n;
}

/* holders_match: w[0..n) is one wrap per holder (held), in increasing
 * member id. */
static int holders_match(const bnc_pair *p, const roster *r, int extra,
                         uint8_t side, const struct bn_key_wrap *w, uint32_t n)
{
    uint32_t holders = 0;

    for (size_t i = 0; i < p->nmembers; i++)
        holders += held(p, r, extra, side, (int)i);
    if (n != holders)
        return 0;
    for (uint32_t k = 0; k < n; k++) {
        int i = member_at(p, w[k].member_id);
        if (i < 0 || !held(p, r, extra, side, i) ||
            (k > 0 && w[k].member_id <= w[k - 1].member_id))
            return 0;
    }
    return 1;
}

/* key_turn: entry e keys epoch e->sub: the current epoch when nobody
 * keyed it yet (KEY_PUT only), else the next one. */
static int key_turn(bnc_client *c, roster *r, const bn_log_entry *e,
                    int first_ok)
{
    if (first_ok && e->sub == r->epoch && r->keyed < r->epoch)
        r->keyed = r->epoch;
    else if (e->sub == r->epoch + 1 && r->keyed == r->epoch)
        r->keyed = r->epoch = e->sub;
    else
        return bnc__tamper(c, BN_ETAMPER,
                           "log entry %" PRIu64 " keys epoch %" PRIu32
                           " out of turn",
                           e->seq, e->sub);
    return 0;
}

/* withheld_keys: the wraps of an epoch that an entry logged are gone. */
static int withheld_keys(bnc_client *c, const bn_log_entry *e)
{
    return bnc__tamper(c, BN_EWITHHELD,
                       "the keys of epoch %" PRIu32 " (log entry %" PRIu64
                       ") are in the pair's log but the server no longer "
                       "serves them (withheld)",
                       e->sub, e->seq);
}

/* replay_accept: a PAIR_ACCEPT entry matches the acceptance served and
 * signs the member list of that point of the log. */
static int replay_accept(bnc_client *c, const bnc_pair *p,
                         const bn_pair_detail *d, roster *r,
                         const bn_log_entry *e, int k)
{
    const struct bn_accept_info *a = find_accept(d, e->author_id);
    uint8_t h[BN_HASH_BYTES];
    bn_msg req;
    int rc;

    if (a == NULL)
        return bnc__tamper(c, BN_EWITHHELD,
                           "the acceptance of member %" PRIu64
                           " (log entry %" PRIu64
                           ") is in the pair's log but the server no "
                           "longer serves it (withheld)",
                           e->author_id, e->seq);
    bn_msg_init(&req, BN_MSG_PAIR_ACCEPT, 0);
    req.u.pair_accept.pair_id = p->info.id;
    req.u.pair_accept.date = a->date;
    memcpy(req.u.pair_accept.sig, a->sig, sizeof a->sig);
    memcpy(req.u.pair_accept.members_hash, a->members_hash, 32);
    if (bn_log_entry_matches(e, &req) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "the acceptance of member %" PRIu64
                           " is not the one log entry %" PRIu64 " signed",
                           e->author_id, e->seq);
    rc = current_hash(p, r->in, h);
    if (rc != 0)
        return rc;
    if (sodium_memcmp(a->members_hash, h, sizeof h) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "the member list the server shows is not the "
                           "one member %" PRIu64
                           " signed when accepting (log entry %" PRIu64
                           "): a member was added, removed or changed",
                           e->author_id, e->seq);
    r->signed_[k] = 1;
    r->accepted |= e->author_id == p->info.mentor_id   ? BN_ACCEPTED_MENTOR
                   : e->author_id == p->info.mentee_id ? BN_ACCEPTED_MENTEE
                                                       : 0;
    return 0;
}

/* replay_key_put: a KEY_PUT entry keys its epoch in turn, for exactly the
 * members of that point, with the wraps served. */
static int replay_key_put(bnc_client *c, const bnc_pair *p,
                          const bn_pair_detail *d, roster *r,
                          const bn_log_entry *e)
{
    struct bn_key_wrap w[BN_MEMBERS_MAX];
    bn_msg req;
    uint32_t n;
    int rc = key_turn(c, r, e, 1);

    if (rc != 0)
        return rc;
    n = holders_wraps(p, r, -1, 0, d, e->sub, w);
    if (n == 0)
        return withheld_keys(c, e);
    bn_msg_init(&req, BN_MSG_KEY_PUT, 0);
    req.u.key_put.pair_id = p->info.id;
    req.u.key_put.epoch = e->sub;
    req.u.key_put.wraps.v = w;
    req.u.key_put.wraps.len = n;
    if (bn_log_entry_matches(e, &req) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "the keys of epoch %" PRIu32
                           " are not those member %" PRIu64
                           " logged at entry %" PRIu64,
                           e->sub, e->author_id, e->seq);
    if (!holders_match(p, r, -1, 0, w, n))
        return bnc__tamper(c, BN_ETAMPER,
                           "the key of epoch %" PRIu32
                           " was not wrapped for exactly the pair's members",
                           e->sub);
    return 0;
}

/* add_wraps: the wraps a MEMBER_ADD of account at epoch brought: with
 * history, the new member's of every earlier epoch, then the epoch's
 * own, as the request carried them (epoch, then member id). */
static uint32_t add_wraps(const bnc_pair *p, const roster *r, int k,
                          const bn_pair_detail *d, uint32_t epoch, int history,
                          struct bn_key_wrap *out, uint32_t max)
{
    uint64_t account = p->members[k].account_id;
    uint32_t n = 0;

    for (uint32_t i = 0; i < d->wraps.len && n < max; i++) {
        const struct bn_key_wrap *w = &d->wraps.v[i];
        int to = member_at(p, w->member_id);
        if ((w->epoch == epoch && (to < 0 || r->in[to] || to == k)) ||
            (history && w->epoch < epoch && w->member_id == account))
            out[n++] = *w;
    }
    return n;
}

/* history_ok: the new member's wraps of the earlier epochs (w[0..n)):
 * one per epoch 1..epoch-1 in order, each committing to the key that
 * epoch was keyed with (the key id its adder's own wrap of it carries). */
static int history_ok(const bn_pair_detail *d, uint64_t adder,
                      const struct bn_key_wrap *w, uint32_t n, uint32_t epoch)
{
    if (n != epoch - 1)
        return 0;
    for (uint32_t k = 0; k < n; k++) {
        const struct bn_key_wrap *own = NULL;
        if (w[k].epoch != k + 1)
            return 0;
        for (uint32_t i = 0; i < d->wraps.len && own == NULL; i++)
            if (d->wraps.v[i].epoch == k + 1 &&
                d->wraps.v[i].member_id == adder)
                own = &d->wraps.v[i];
        if (own == NULL ||
            sodium_memcmp(own->key_id, w[k].key_id, BN_HASH_BYTES) != 0)
            return 0;
    }
    return 1;
}

/* replay_add: a side's referent added a member of that side, never a
 * member before, and keyed the next epoch for everyone with them. */
static int replay_add(bnc_client *c, const bnc_pair *p, const bn_pair_detail *d,
                      roster *r, const bn_log_entry *e)
{
    struct bn_key_wrap *w = NULL;
    int history = (e->flags & BN_LOG_F_HISTORY) != 0;
    int k = member_at(p, e->item);
    uint32_t n, nhist = 0;
    bn_msg req;
    int rc;

    if (k < 0)
        return bnc__tamper(c, BN_EWITHHELD,
                           "log entry %" PRIu64 " adds account %" PRIu64
                           " to the pair but the server does not show that "
                           "member (withheld)",
                           e->seq, e->item);
    if (r->seen[k] || referent_of(p, p->members[k].role) != e->author_id)
        return bnc__tamper(c, BN_ETAMPER,
                           "log entry %" PRIu64 " adds member %" PRIu64
                           ", which only its side's referent may do, once",
                           e->seq, e->item);
    rc = key_turn(c, r, e, 0);
    if (rc != 0)
        return rc;
    w = calloc(BN_WRAPS_MAX, sizeof *w);
    if (w == NULL)
        return BN_ENOMEM;
    n = add_wraps(p, r, k, d, e->sub, history, w, BN_WRAPS_MAX);
    while (nhist < n && w[nhist].epoch < e->sub)
        nhist++;
    bn_msg_init(&req, BN_MSG_MEMBER_ADD, 0);
    req.u.member_add.pair_id = p->info.id;
    req.u.member_add.account_id = e->item;
    req.u.member_add.role = p->members[k].role;
    memcpy(req.u.member_add.sign_pk, p->members[k].sign_pk, 32);
    memcpy(req.u.member_add.box_pk, p->members[k].box_pk, 32);
    req.u.member_add.epoch = e->sub;
    req.u.member_add.history = (uint8_t)history;
    req.u.member_add.wraps.v = w;
    req.u.member_add.wraps.len = n;
    if (n == nhist)
        rc = withheld_keys(c, e);
    else if (bn_log_entry_matches(e, &req) != 0)
        rc = bnc__tamper(c, BN_ETAMPER,
                         "member %" PRIu64 " is not the one member %" PRIu64
                         " added at log entry %" PRIu64
                         " (its keys or the keys it was given differ)",
                         e->item, e->author_id, e->seq);
    else if (!holders_match(p, r, k, 0, w + nhist, n - nhist) ||
             (history && !history_ok(d, e->author_id, w, nhist, e->sub)))
        rc = bnc__tamper(c, BN_ETAMPER,
                         "the keys log entry %" PRIu64
                         " gave are not for exactly the pair's members",
                         e->seq);
    free(w);
    if (rc != 0)
        return rc;
    r->in[k] = r->seen[k] = 1;
    r->from[k] = history ? 1 : e->sub;
    return 0;
}

/* replay_remove: a side's referent removed a member of that side (never
 * a referent) and keyed the next epoch for those who stay. */
static int replay_remove(bnc_client *c, const bnc_pair *p,
                         const bn_pair_detail *d, roster *r,
                         const bn_log_entry *e)
{
    struct bn_key_wrap w[BN_MEMBERS_MAX];
    int k = member_at(p, e->item);
    bn_msg req;
    uint32_t n;
    int rc;

    if (k < 0 || !r->in[k] || referent_of(p, BN_ROLE_MENTOR) == e->item ||
        referent_of(p, BN_ROLE_MENTEE) == e->item ||
        referent_of(p, p->members[k].role) != e->author_id)
        return bnc__tamper(c, BN_ETAMPER,
                           "log entry %" PRIu64 " removes account %" PRIu64
                           ", which its side's referent alone may do, of a "
                           "member who is no referent",
                           e->seq, e->item);
    rc = key_turn(c, r, e, 0);
    if (rc != 0)
        return rc;
    r->in[k] = 0;
    n = holders_wraps(p, r, -1, 0, d, e->sub, w);
    if (n == 0)
        return withheld_keys(c, e);
    bn_msg_init(&req, BN_MSG_MEMBER_REMOVE, 0);
    req.u.member_remove.pair_id = p->info.id;
    req.u.member_remove.account_id = e->item;
    req.u.member_remove.epoch = e->sub;
    req.u.member_remove.wraps.v = w;
    req.u.member_remove.wraps.len = n;
    if (bn_log_entry_matches(e, &req) != 0 || !holders_match(p, r, -1, 0, w, n))
        return bnc__tamper(c, BN_ETAMPER,
                           "the keys of epoch %" PRIu32
                           " are not those member %" PRIu64
                           " gave those who stay at log entry %" PRIu64,
                           e->sub, e->author_id, e->seq);
    r->to[k] = e->sub;
    return 0;
}

/* replay_side_key: a member of a side keyed the current epoch for that
 * side, once, with one wrap per current member of the side (issue 14). */
static int replay_side_key(bnc_client *c, const bnc_pair *p,
                           const bn_pair_detail *d, roster *r,
                           const bn_log_entry *e, int k)
{
    struct bn_key_wrap w[BN_MEMBERS_MAX];
    uint8_t side = p->members[k].role;
    int s = side == BN_ROLE_MENTOR ? 0 : 1;
    uint32_t n;
    bn_msg req;

    if (e->item != side || e->sub != r->epoch || r->keyed != r->epoch ||
        r->side_keyed[s] == e->sub)
        return bnc__tamper(c, BN_ETAMPER,
                           "log entry %" PRIu64 " keys a side for epoch "
                           "%" PRIu32 ", which only a member of that side "
                           "does, once, for the current epoch",
                           e->seq, e->sub);
    n = holders_wraps(p, r, -1, side, d, e->sub, w);
    bn_msg_init(&req, BN_MSG_SIDE_KEY_PUT, 0);
    req.u.side_key_put.pair_id = p->info.id;
    req.u.side_key_put.epoch = e->sub;
    req.u.side_key_put.side = side;
    req.u.side_key_put.wraps.v = w;
    req.u.side_key_put.wraps.len = n;
    if (n == 0)
        return withheld_keys(c, e);
    if (bn_log_entry_matches(e, &req) != 0 ||
        !holders_match(p, r, -1, side, w, n))
        return bnc__tamper(c, BN_ETAMPER,
                           "the side key of epoch %" PRIu32
                           " is not the one member %" PRIu64
                           " gave their side at log entry %" PRIu64,
                           e->sub, e->author_id, e->seq);
    r->side_keyed[s] = e->sub;
    return 0;
}

/* founders: the pair's mentor and mentee, from the first epoch. */
static int founders(bnc_client *c, const bnc_pair *p, roster *r)
{
    const bnc_pair_info *i = &p->info;
    int a = member_at(p, i->mentor_id), b = member_at(p, i->mentee_id);

    if (p->nmembers > BN_MEMBERS_MAX)
        return BN_EPROTO;
    if (a < 0 || b < 0 || a == b || p->members[a].role != BN_ROLE_MENTOR ||
        p->members[b].role != BN_ROLE_MENTEE)
        return bnc__tamper(c, BN_ETAMPER,
                           "the member list is not the pair's mentor %" PRIu64
                           " and mentee %" PRIu64 " and those they added",
                           i->mentor_id, i->mentee_id);
    r->in[a] = r->in[b] = r->seen[a] = r->seen[b] = 1;
    r->from[a] = r->from[b] = 1;
    return 0;
}

/* legacy_first_key: a pair from before schema 4 got its first key
 * without a log entry (legacy wraps, served for epoch 1): later epochs
 * follow from it. One that nobody keyed then logs its first key, of
 * epoch 1. */
static uint32_t legacy_first_key(const bnc_pair *p, const bn_pair_detail *d)
{
    struct bn_key_wrap w[BN_MEMBERS_MAX];

    if (p->nlegacy == 0 || wraps_of(d, 1, w) == 0)
        return 0;
    for (size_t i = 0; i < p->nlog; i++)
        if (p->log[i].version == BN_LOG_VERSION &&
            p->log[i].op == BN_MSG_KEY_PUT && p->log[i].sub == 1)
            return 0;
    return 1;
}

/* check_members replays the log: every entry signed by a member of that
 * point, acceptances of the list of their point, each epoch keyed in
 * turn for exactly its members, members added and removed by their
 * side's referent; the list, epochs and epoch the server shows must be
 * what it made. */
static int check_members(bnc_client *c, const bnc_pair *p,
                         const bn_pair_detail *d, uint8_t *accepted)
{
    roster r;
    int rc;

    memset(&r, 0, sizeof r);
    r.epoch = 1;
    r.keyed = legacy_first_key(p, d);
    rc = founders(c, p, &r);
    for (size_t i = 0; rc == 0 && i < p->nlog; i++) {
        const bn_log_entry *e = &p->log[i];
        int k = member_at(p, e->author_id);
        if (k < 0 || !r.in[k])
            return bnc__tamper(c, BN_ETAMPER,
                               "member %" PRIu64 " signed log entry %" PRIu64
                               " but was not in the pair's signed "
                               "membership then",
                               e->author_id, e->seq);
        if (e->version != BN_LOG_VERSION)
            continue;
        switch (e->op) {
        case BN_MSG_PAIR_ACCEPT:
            rc = replay_accept(c, p, d, &r, e, k);
            break;
        case BN_MSG_KEY_PUT:
            rc = replay_key_put(c, p, d, &r, e);
            break;
        case BN_MSG_MEMBER_ADD:
            rc = replay_add(c, p, d, &r, e);
            break;
        case BN_MSG_MEMBER_REMOVE:
            rc = replay_remove(c, p, d, &r, e);
            break;
        case BN_MSG_SIDE_KEY_PUT:
            rc = replay_side_key(c, p, d, &r, e, k);
            break;
        default:
            break;
        }
    }
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < p->nmembers; i++) {
        const bnc_member *m = &p->members[i];
        if (!r.seen[i])
            return bnc__tamper(c, BN_ETAMPER,
                               "member %" PRIu64 " is not in the pair's "
                               "signed membership",
                               m->account_id);
        if (m->from_epoch != r.from[i] || m->to_epoch != r.to[i])
            return bnc__tamper(c, BN_ETAMPER,
                               "member %" PRIu64 " is shown holding epochs "
                               "%" PRIu32 " to %" PRIu32
                               ", which no signed entry made",
                               m->account_id, m->from_epoch, m->to_epoch);
    }
    /* An acceptance without its entry: the server made it up. A legacy
     * log logged acceptances with entries that do not say so. */
    for (uint32_t i = 0; i < d->accepts.len && p->nlegacy == 0; i++) {
        int k = member_at(p, d->accepts.v[i].account_id);
        if (k < 0 || !r.signed_[k])
            return bnc__tamper(c, BN_ETAMPER,
                               "the acceptance of member %" PRIu64
                               " is not in the pair's signed log: refused",
                               d->accepts.v[i].account_id);
    }
    if (p->info.epoch != r.epoch)
        return bnc__tamper(c, BN_ETAMPER,
                           "the server says the pair is at key epoch %" PRIu32
                           " but its signed log is at epoch %" PRIu32,
                           p->info.epoch, r.epoch);
    *accepted = r.accepted;
    return 0;
}

/* is_member: 1 when account is one of the pair's members (departed ones
 * too, as check_member_list checked them), or 0: nobody, not a
 * coordinator either. */
static int is_member(const bnc_pair *p, uint64_t account)
{
    if (account == 0 || account == p->info.mentor_id ||
        account == p->info.mentee_id)
        return 1;
    for (size_t i = 0; i < p->nmembers; i++)
        if (p->members[i].account_id == account)
            return 1;
    return 0;
}

/* check_state: accepted bits, status, end reason and date follow from the
 * entries. */
static int check_state(bnc_client *c, const bnc_pair *p,
                       const bn_pair_detail *d, uint8_t accepted)
{
    const bnc_pair_info *i = &p->info;
    const bn_log_entry *end = bnc__log_last(p, BN_MSG_PAIR_END, 0);
    int ended =
        i->status == BN_PAIR_COMPLETED || i->status == BN_PAIR_WITHDRAWN;
    uint8_t want;

    if (p->nlegacy == 0 && i->accepted != accepted)
        return bnc__tamper(c, BN_ETAMPER,
                           "the pair's acceptances are not those of its "
                           "signed log");
    if (end != NULL) {
        bn_msg req;
        bn_msg_init(&req, BN_MSG_PAIR_END, 0);
        req.u.pair_end.pair_id = i->id;
        req.u.pair_end.reason = i->end_reason;
        req.u.pair_end.date = i->end_date;
        req.u.pair_end.override = (end->flags & BN_LOG_F_OVERRIDE) != 0;
        want = i->end_reason == BN_END_COMPLETED ? BN_PAIR_COMPLETED
                                                 : BN_PAIR_WITHDRAWN;
        if (i->status != want || d->pair.ended_by != end->author_id ||
            bn_log_entry_matches(end, &req) != 0)
            return bnc__tamper(c, BN_ETAMPER,
                               "the pair's end is not the one member %" PRIu64
                               " signed at log entry %" PRIu64,
                               end->author_id, end->seq);
        return 0;
    }
    /* No end logged: the coordinator's end, made by an account that is
     * no member of the pair (an administrator, who signs no entry of the
     * pair's log), is the server's word, shown as the coordinator's; it
     * only stops the pair (DESIGN.md). A member's end without the
     * member's entry is made up. */
    if (ended && i->status == BN_PAIR_WITHDRAWN && i->end_date != 0 &&
        (i->end_reason == BN_END_WITHDRAWN ||
         i->end_reason == BN_END_STALLED) &&
        !is_member(p, d->pair.ended_by))
        return 0;
    /* A legacy log may hold an old end, but not once a new entry follows
     * it: nothing is written to an ended pair. */
    if (ended && (p->nlegacy == 0 || p->nlegacy < p->nlog))
        return bnc__tamper(c, BN_ETAMPER,
                           "the server shows the pair as %s, which no "
                           "entry of its signed log made",
                           bnc_pair_status_name(i->status));
    if (p->nlegacy > 0)
        return 0; /* its acceptances were logged without saying so */
    want = accepted == (BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE)
               ? BN_PAIR_ACTIVE
               : BN_PAIR_PENDING;
    if (i->status != want)
        return bnc__tamper(c, BN_ETAMPER,
                           "the server shows the pair as %s, which no "
                           "entry of its signed log made",
                           bnc_pair_status_name(i->status));
    return 0;
}

int bnc__ledger_pair(bnc_client *c, bnc_pair *p, const bn_pair_detail *d)
{
    uint8_t accepted = 0;
    int rc;

    c->tamper[0] = '\0';
    p->nlegacy = 0;
    for (size_t i = 0; i < p->nlog; i++) {
        if (p->log[i].version == BN_LOG_VERSION)
            continue;
        /* Old entries come first: a legacy entry after a new one is a
         * server splicing in what an old client once signed. */
        if (p->nlegacy != i)
            return bnc__tamper(c, BN_ETAMPER,
                               "log entry %" PRIu64 " has the old format "
                               "after entries of the new one",
                               p->log[i].seq);
        p->nlegacy++;
    }
    if (p->info.status == BN_PAIR_ERASED)
        return 0; /* nothing is left to show */
    rc = check_members(c, p, d, &accepted);
    if (rc == 0)
        rc = check_state(c, p, d, accepted);
    if (rc == 0 && p->nlegacy > 0)
        bnc__warn(p,
                  "the first %zu entries of pair %" PRIu64 "'s log were "
                  "written by an older release: what they logged is shown "
                  "but cannot be checked item by item",
                  p->nlegacy, p->info.id);
    return rc;
}

/* ---- items ----------------------------------------------------------- */

/* not_logged reports an item that no version 2 entry covers: refused,
 * unless the log has legacy entries that may cover it (shown, with the
 * pair's warning). */
static int not_logged(bnc_client *c, const bnc_pair *p, const char *what,
                      const char *id)
{
    if (p->nlegacy > 0)
        return 0;
    return bnc__tamper(c, BN_ETAMPER,
                       "%s %s is not in the pair's signed log: refused", what,
                       id);
}

int bnc__check_note(bnc_client *c, const bnc_pair *p,
                    const struct bn_note_meta *m, const bn_bin *env, int latest)
{
    const bn_log_entry *last = NULL, *e = NULL;
    const uint8_t *pre[1];
    uint8_t h[BN_HASH_BYTES];
    char id[17];
    bn_msg req;

    /* One pass: the note's last logged revision, and the one served. */
    for (size_t i = 0; i < p->nlog; i++) {
        const bn_log_entry *x = &p->log[i];
        if (x->version != BN_LOG_VERSION || x->op != BN_MSG_NOTE_PUT ||
            x->item != m->note_id || bnc__erased_by_author(p, x))
            continue;
        last = x;
        if (x->sub == m->revision && e == NULL)
            e = x;
    }
    snprintf(id, sizeof id, "%016" PRIx64, m->note_id);
    if (last == NULL)
        return not_logged(c, p, "note", id);
    if (m->revision > last->sub)
        return bnc__tamper(c, BN_ETAMPER,
                           "note %s: revision %" PRIu32
                           " is not in the pair's signed log: refused",
                           id, m->revision);
    if (latest && m->revision < last->sub)
        return bnc__tamper(c, BN_EWITHHELD,
                           "note %s: revision %" PRIu32
                           " is in the pair's log but the server served "
                           "revision %" PRIu32 " (withheld or rolled back)",
                           id, last->sub, m->revision);
    if (e == NULL && p->nlegacy > 0)
        return 0; /* an older revision, logged before entries named it */
    if (e == NULL)
        return bnc__tamper(c, BN_ETAMPER,
                           "note %s: revision %" PRIu32
                           " is not in the pair's signed log: refused",
                           id, m->revision);
    bn_msg_init(&req, BN_MSG_NOTE_PUT, 0);
    req.u.note_put.pair_id = p->info.id;
    req.u.note_put.note_id = m->note_id;
    req.u.note_put.revision = m->revision;
    req.u.note_put.kind = m->kind;
    req.u.note_put.is_private = m->is_private;
    req.u.note_put.side_only = m->side_only;
    req.u.note_put.session_id = m->session_id;
    req.u.note_put.epoch = m->epoch;
    if (env != NULL) {
        bn_hash(h, env->ptr, env->len);
        pre[0] = h;
    } else {
        pre[0] = m->env_hash;
    }
    if (e->author_id != m->author_id ||
        bn_log_entry_matches_hashed(e, &req, pre) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "note %s: revision %" PRIu32
                           " is not what member %" PRIu64
                           " logged at entry %" PRIu64
                           " (its text, session, kind or author was "
                           "changed)",
                           id, m->revision, e->author_id, e->seq);
    return 0;
}

/*
 * session_add_matches tries the add entry with the served date, follow-up
 * mark, status, absences and absentees; once the session was updated,
 * with the absentees the server says the add named (added_absentees: a
 * hint, which the entry's hash checks) and each status and absence bits
 * it could have been added with (an update changes those and not the
 * date).
 */
static int session_add_matches(const bnc_pair *p, const bn_log_entry *e,
                               const struct bn_session_info *s, int updated)
{
    bn_msg req;

    bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
    req.u.session_add.pair_id = p->info.id;
    req.u.session_add.date = s->date;
    req.u.session_add.follow_up = s->follow_up; /* issue 14 */
    if (!updated) {
        req.u.session_add.status = s->status;
        req.u.session_add.absent = s->absent;
        req.u.session_add.absentees.v = s->absentees.v;
        req.u.session_add.absentees.len = s->absentees.len;
        return bn_log_entry_matches(e, &req);
    }
    req.u.session_add.absentees.v = s->added_absentees.v;
    req.u.session_add.absentees.len = s->added_absentees.len;
    for (uint8_t st = 1; st <= BN_SESSION_STATUS_MAX; st++)
        for (uint8_t a = 0; a <= BN_ABSENT_MAX; a++) {
            req.u.session_add.status = st;
            req.u.session_add.absent = a;
            if (bn_log_entry_matches(e, &req) == 0)
                return 0;
        }
    return BN_EINVAL;
}

int bnc__check_session(bnc_client *c, const bnc_pair *p,
                       const struct bn_session_info *s)
{
    const bn_log_entry *add = bnc__log_at(p, s->id);
    const bn_log_entry *upd = bnc__log_last(p, BN_MSG_SESSION_UPDATE, s->id);
    char id[24];

    snprintf(id, sizeof id, "%" PRIu64, s->id);
    /* A session's id is the seq of the entry that made it; an upgraded
     * store renumbered its sessions so (a legacy entry: unchecked). */
    if (add == NULL)
        return bnc__tamper(c, BN_ETAMPER,
                           "session %s is not in the pair's signed log: "
                           "refused",
                           id);
    if (add->version == BN_LOG_VERSION &&
        (add->op != BN_MSG_SESSION_ADD || add->author_id != s->created_by ||
         session_add_matches(p, add, s, upd != NULL) != 0))
        return bnc__tamper(c, BN_ETAMPER,
                           "session %s is not the session member %" PRIu64
                           " logged at entry %" PRIu64
                           " (its date, status, attendance or follow-up "
                           "mark was changed)",
                           id, add->author_id, add->seq);
    if (upd != NULL) {
        bn_msg req;
        bn_msg_init(&req, BN_MSG_SESSION_UPDATE, 0);
        req.u.session_update.pair_id = p->info.id;
        req.u.session_update.session_id = s->id;
        req.u.session_update.status = s->status;
        req.u.session_update.absent = s->absent;
        req.u.session_update.absentees.v = s->absentees.v;
        req.u.session_update.absentees.len = s->absentees.len;
        if (bn_log_entry_matches(upd, &req) != 0)
            return bnc__tamper(c, BN_ETAMPER,
                               "session %s: its status or attendance (who "
                               "was absent) is not what member %" PRIu64
                               " logged at entry %" PRIu64,
                               id, upd->author_id, upd->seq);
    }
    /* The mode: the last SESSION_MODE_SET's, else unknown. */
    const bn_log_entry *m = bnc__log_last(p, BN_MSG_SESSION_MODE_SET, s->id);
    if (m == NULL && s->mode != BN_MODE_UNKNOWN)
        return bnc__tamper(c, BN_ETAMPER,
                           "session %s is shown held %s, which no entry of "
                           "the pair's signed log says",
                           id, bnc_session_mode_name(s->mode));
    if (m != NULL) {
        bn_msg req;
        bn_msg_init(&req, BN_MSG_SESSION_MODE_SET, 0);
        req.u.session_mode_set.pair_id = p->info.id;
        req.u.session_mode_set.session_id = s->id;
        req.u.session_mode_set.mode = s->mode;
        if (bn_log_entry_matches(m, &req) != 0)
            return bnc__tamper(c, BN_ETAMPER,
                               "session %s: its mode (%s) is not what member "
                               "%" PRIu64 " logged at entry %" PRIu64,
                               id, bnc_session_mode_name(s->mode), m->author_id,
                               m->seq);
    }
    return 0;
}

/* last_status_entry: the last version 2 entry that set objective id's
 * status (reached, abandoned or reopened), or NULL. */
static const bn_log_entry *last_status_entry(const bnc_pair *p, uint64_t id)
{
    for (size_t i = p->nlog; i-- > 0;) {
        const bn_log_entry *e = &p->log[i];
        if (e->version == BN_LOG_VERSION && e->item == id &&
            (e->op == BN_MSG_OBJECTIVE_REACH ||
             e->op == BN_MSG_OBJECTIVE_ABANDON ||
             e->op == BN_MSG_OBJECTIVE_REOPEN))
            return e;
    }
    return NULL;
}

/* check_objective_text: the served text, epoch and defined date are those
 * of the last edit when there is one (by the author: the server refuses
 * the partner's), else of the add. */
static int check_objective_text(bnc_client *c, const bnc_pair *p,
                                const struct bn_objective_info *o,
                                const bn_log_entry *add, const char *id)
{
    const bn_log_entry *edit = bnc__log_last(p, BN_MSG_OBJECTIVE_EDIT, o->id);
    bn_msg req;

    if (add != NULL && add->author_id != o->author_id)
        return bnc__tamper(c, BN_ETAMPER,
                           "objective %s is not what member %" PRIu64
                           " logged at entry %" PRIu64 " (its author changed)",
                           id, add->author_id, add->seq);
    if (edit != NULL) {
        bn_msg_init(&req, BN_MSG_OBJECTIVE_EDIT, 0);
        req.u.objective_edit.pair_id = p->info.id;
        req.u.objective_edit.objective_id = o->id;
        req.u.objective_edit.epoch = o->epoch;
        req.u.objective_edit.envelope = o->envelope;
        req.u.objective_edit.date = o->defined_date;
        req.u.objective_edit.target_date = o->target_date;
        if (edit->author_id != o->author_id ||
            bn_log_entry_matches(edit, &req) != 0)
            return bnc__tamper(c, BN_ETAMPER,
                               "objective %s is not what member %" PRIu64
                               " wrote at entry %" PRIu64
                               " (its last edit: text, date or target date "
                               "changed, or rolled back)",
                               id, edit->author_id, edit->seq);
        return 0;
    }
    if (add == NULL)
        return 0; /* legacy */
    bn_msg_init(&req, BN_MSG_OBJECTIVE_ADD, 0);
    req.u.objective_add.pair_id = p->info.id;
    req.u.objective_add.objective_id = o->id;
    req.u.objective_add.epoch = o->epoch;
    req.u.objective_add.envelope = o->envelope;
    req.u.objective_add.date = o->defined_date;
    req.u.objective_add.target_date = o->target_date;
    if (bn_log_entry_matches(add, &req) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "objective %s is not what member %" PRIu64
                           " logged at entry %" PRIu64
                           " (its text, date or target date changed)",
                           id, add->author_id, add->seq);
    return 0;
}

int bnc__check_objective(bnc_client *c, const bnc_pair *p,
                         const struct bn_objective_info *o)
{
    const bn_log_entry *add = bnc__log_last(p, BN_MSG_OBJECTIVE_ADD, o->id);
    const bn_log_entry *st = last_status_entry(p, o->id);
    char id[17];
    bn_msg req;
    uint8_t want;
    int rc;

    snprintf(id, sizeof id, "%016" PRIx64, o->id);
    if (add == NULL && p->nlegacy == 0)
        return not_logged(c, p, "objective", id);
    rc = check_objective_text(c, p, o, add, id);
    if (rc != 0)
        return rc;
    /* Reached by a legacy entry is possible only for a legacy objective. */
    if (st == NULL) {
        if (o->status != BN_OBJECTIVE_DEFINED && add != NULL)
            return bnc__tamper(c, BN_ETAMPER,
                               "objective %s is shown %s, which no entry of "
                               "the pair's signed log says",
                               id, bnc_objective_status_name(o->status));
        return 0;
    }
    bn_msg_init(&req, st->op, 0);
    if (st->op == BN_MSG_OBJECTIVE_REACH) {
        want = BN_OBJECTIVE_REACHED;
        req.u.objective_reach.pair_id = p->info.id;
        req.u.objective_reach.objective_id = o->id;
        req.u.objective_reach.date = o->reached_date;
    } else if (st->op == BN_MSG_OBJECTIVE_ABANDON) {
        want = BN_OBJECTIVE_ABANDONED;
        req.u.objective_abandon.pair_id = p->info.id;
        req.u.objective_abandon.objective_id = o->id;
        req.u.objective_abandon.date = o->reached_date;
    } else {
        want = BN_OBJECTIVE_DEFINED;
        req.u.objective_reopen.pair_id = p->info.id;
        req.u.objective_reopen.objective_id = o->id;
    }
    if (o->status != want)
        return bnc__tamper(c, BN_EWITHHELD,
                           "objective %s: the pair's log says %s (entry "
                           "%" PRIu64 ") but the server shows it %s "
                           "(withheld or rolled back)",
                           id, bnc_objective_status_name(want), st->seq,
                           bnc_objective_status_name(o->status));
    if ((want == BN_OBJECTIVE_DEFINED && o->reached_date != 0) ||
        bn_log_entry_matches(st, &req) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "objective %s: its status is not what member "
                           "%" PRIu64 " logged at entry %" PRIu64,
                           id, st->author_id, st->seq);
    return 0;
}

int bnc__check_doc(bnc_client *c, const bnc_pair *p,
                   const struct bn_doc_meta *d)
{
    const bn_log_entry *e = bnc__log_last(p, BN_MSG_DOC_CHUNK, d->doc_id);
    const uint8_t *pre[1] = {d->final_hash};
    char id[17];
    bn_msg req;

    snprintf(id, sizeof id, "%016" PRIx64, d->doc_id);
    if (e == NULL)
        return not_logged(c, p, "document", id);
    bn_msg_init(&req, BN_MSG_DOC_CHUNK, 0);
    req.u.doc_chunk.pair_id = p->info.id;
    req.u.doc_chunk.doc_id = d->doc_id;
    req.u.doc_chunk.index = d->chunks > 0 ? d->chunks - 1 : 0;
    req.u.doc_chunk.final = 1;
    req.u.doc_chunk.kind = d->kind; /* the self-diagnosis mark (issue 14) */
    req.u.doc_chunk.date = d->date;
    if (!d->complete || d->chunks == 0 || e->author_id != d->author_id ||
        bn_log_entry_matches_hashed(e, &req, pre) != 0)
        return bnc__tamper(c, BN_ETAMPER,
                           "document %s is not the document member %" PRIu64
                           " logged at entry %" PRIu64
                           " (its content, or its self-diagnosis mark or "
                           "date, changed)",
                           id, e->author_id, e->seq);
    return 0;
}

/* served tells whether id is among the n ids served. */
static int served(const uint64_t *ids, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* same_side: accounts a and b are members of p on one side. */
static int same_side(const bnc_pair *p, uint64_t a, uint64_t b)
{
    const bnc_member *x = bnc_pair_member(p, a), *y = bnc_pair_member(p, b);
    return x != NULL && y != NULL && x->role == y->role;
}

int bnc__check_withheld(bnc_client *c, const bnc_pair *p, uint8_t op,
                        const uint64_t *ids, size_t n)
{
    for (size_t i = 0; i < p->nlog; i++) {
        const bn_log_entry *e = &p->log[i];
        uint64_t item;
        const char *what;
        char id[24];
        if (e->version != BN_LOG_VERSION || e->op != op)
            continue;
        /* A private note is served to its author only, a note kept to a
         * side to that side's members (issue 14). */
        if ((e->flags & BN_LOG_F_PRIVATE) && e->author_id != c->me.id)
            continue;
        if ((e->flags & BN_LOG_F_SIDE) && !same_side(p, e->author_id, c->me.id))
            continue;
        /* Erased by its own author since: gone by their will. */
        if ((op == BN_MSG_NOTE_PUT || op == BN_MSG_DOC_CHUNK) &&
            bnc__erased_by_author(p, e))
            continue;
        item = op == BN_MSG_SESSION_ADD ? e->seq : e->item;
        if (served(ids, n, item))
            continue;
        what = op == BN_MSG_NOTE_PUT        ? "note"
               : op == BN_MSG_SESSION_ADD   ? "session"
               : op == BN_MSG_OBJECTIVE_ADD ? "objective"
                                            : "document";
        if (op == BN_MSG_SESSION_ADD)
            snprintf(id, sizeof id, "%" PRIu64, item);
        else
            snprintf(id, sizeof id, "%016" PRIx64, item);
        return bnc__tamper(c, BN_EWITHHELD,
                           "%s %s is in the pair's log (entry %" PRIu64
                           ") but the server no longer serves it (withheld)",
                           what, id, e->seq);
    }
    return 0;
}

int bnc__check_listed(bnc_client *c, const bnc_pair *p, uint8_t op,
                      const void *items, size_t n, size_t size,
                      size_t id_offset)
{
    uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    int rc;

    if (ids == NULL)
        return BN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        memcpy(&ids[i], (const char *)items + i * size + id_offset,
               sizeof ids[i]);
    rc = bnc__check_withheld(c, p, op, ids, n);
    free(ids);
    return rc;
}
