/*
 * bn_tamper: the malicious server operator, as a tool. It opens a STOPPED
 * binomed's data directory with the server's own store code (bnd_store.h,
 * the record codecs of bnd_schema.h) and makes one edit per run, the kind
 * an operator (or anyone who took the machine) can make to the LMDB file:
 * add a member to a pair, raise its key epoch, withhold a note revision, a
 * note, an objective, a document or a session, serve an older revision as
 * the latest or swap a note's authors, move a report to another
 * session, rewrite a session or an objective's state, fake a pair's end,
 * plant a member's consent to erase the pair, rewrite a deliverable's
 * clear facts (an objective's target date, a document's self-diagnosis
 * mark, a session's follow-up flag: issue 14).
 *
 *   bn_tamper COMMAND DATA ARGS...     (bn_tamper --help: the table)
 *
 * Ids are as the CLI prints them: pairs, sessions and accounts in decimal,
 * notes, objectives and documents as 16 hex digits. Each edit keeps the
 * database consistent enough for the daemon to start and serve it (the
 * indexes it reads, and the statistics counters where that is simple),
 * and prints what it did, ids only, on one line. Exit 0 done, 1 the edit
 * could not be made (a missing record: nothing is written), 2 usage.
 *
 * The adversary test scripts (the .sh files beside it) run it between a
 * daemon's stop and its restart, then check that the stock client refuses
 * or reports the change.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bn_err.h"
#include "bn_proto.h"
#include "bn_util.h"
#include "bnd_schema.h"
#include "bnd_stats.h"
#include "bnd_store.h"

#define MAX_IDS 3
#define MAX_REVS 4096

/* One run: the parsed command line and the store. */
typedef struct tamper {
    bnd_store *st;
    uint64_t pair;
    uint64_t id[MAX_IDS]; /* the positional ids after PAIR, in order */
    int left;             /* --left */
    const char *date, *status, *absent, *accepted, *mode, *absentees;
    const char *target, *kind, *follow; /* issue 14 */
    uint64_t from;                      /* --from ACCOUNT */
    char done[256]; /* what was done, printed after the commit */
    void *arena;
} tamper;

typedef int (*tamper_fn)(MDB_txn *txn, tamper *t);

/* ---- small helpers ------------------------------------------------------ */

static int get_pair(MDB_txn *txn, tamper *t, bn_rec_pair *p)
{
    return bnd_rec_get(t->st, txn, bnd_key_pairs(t->pair), p, &t->arena);
}

static int put_pair(MDB_txn *txn, tamper *t, const bn_rec_pair *p)
{
    return bnd_rec_put(t->st, txn, bnd_key_pairs(p->id), p, 0);
}

static int get_account(MDB_txn *txn, tamper *t, uint64_t id, bn_rec_account *a)
{
    return bnd_rec_get(t->st, txn, bnd_key_accounts(id), a, &t->arena);
}

static int get_session(MDB_txn *txn, tamper *t, uint64_t id, bn_rec_session *s)
{
    return bnd_rec_get(t->st, txn, bnd_key_sessions(t->pair, id), s, &t->arena);
}

static int get_objective(MDB_txn *txn, tamper *t, uint64_t id,
                         bn_rec_objective *o)
{
    return bnd_rec_get(t->st, txn, bnd_key_objectives(t->pair, id), o,
                       &t->arena);
}

/* note_revisions lists the stored revisions of a note, in order, into
 * revs (*n of them; 0 when the note has none). */
static int note_revisions(MDB_txn *txn, tamper *t, uint64_t note,
                          uint32_t *revs, uint32_t *n)
{
    MDB_cursor *cur = NULL;
    bnd_key first = bnd_key_notes(t->pair, note, 0);
    bnd_key pre = bnd_key_prefix(first, 2);
    bnd_keyp_notes kp;
    MDB_val k = bnd_key_val(&first), v;
    int rc = bnd_cursor_open(t->st, txn, first.db, &cur);

    *n = 0;
    if (rc != 0)
        return rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (!bnd_key_has_prefix(&k, &pre) || bnd_key_parse_notes(&k, &kp) != 0)
            break;
        if (*n == MAX_REVS) {
            rc = BN_ELIMIT;
            break;
        }
        revs[(*n)++] = kp.revision;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    return rc < 0 ? rc : bnd_mdb_err(rc);
}

/* objectives_uncount takes objectives out of the statistics counters
 * (pair and programme), as if they had never been defined or reached;
 * a counter stays at zero. */
static int objectives_uncount(MDB_txn *txn, tamper *t, uint64_t programme,
                              uint32_t defined, uint32_t reached)
{
    bn_rec_prog_stats p;
    bn_rec_pair_stats ps;
    int rc = bnd_stats_prog_get(t->st, txn, programme, &p, &t->arena);

    if (rc == 0)
        rc = bnd_stats_pair_get(t->st, txn, t->pair, programme, &ps, &t->arena);
    if (rc == BN_ENOTFOUND)
        return 0; /* no counters to keep in step */
    if (rc != 0)
        return rc;
#define SUB(x, d) (x) = (x) > (d) ? (x) - (d) : 0
    SUB(p.objectives_defined, defined);
    SUB(p.objectives_reached, reached);
    SUB(ps.objectives_defined, defined);
    SUB(ps.objectives_reached, reached);
#undef SUB
    rc = bnd_rec_put(t->st, txn, bnd_key_prog_stats(programme), &p, 0);
    if (rc == 0)
        rc = bnd_rec_put(t->st, txn, bnd_key_pair_stats(programme, t->pair),
                         &ps, 0);
    return rc;
}

/* ---- membership and keys ------------------------------------------------ */

/* Adds an existing account to the pair from the next epoch on, and raises
 * the epoch: the next honest client to open the pair draws a key and
 * wraps it for the newcomer too. With --left the member record ends at the
 * epoch after (to_epoch set) so that it stays out of the key hash and the
 * safety number while it still holds the new key. */
static int do_phantom_member(MDB_txn *txn, tamper *t)
{
    bn_rec_pair p;
    bn_rec_account a;
    bn_rec_member m;
    int rc = get_pair(txn, t, &p);

    if (rc == 0)
        rc = get_account(txn, t, t->id[0], &a);
    if (rc != 0)
        return rc;
    rc = bnd_exists(t->st, txn, bnd_key_members(p.id, a.id));
    if (rc != 0)
        return rc < 0 ? rc : BN_EEXIST;
    memset(&m, 0, sizeof m);
    m.pair_id = p.id;
    m.account_id = a.id;
    m.role = a.role;
    m.from_epoch = p.epoch + 1;
    m.to_epoch = t->left ? p.epoch + 2 : 0;
    rc = bnd_rec_put(t->st, txn, bnd_key_members(p.id, a.id), &m,
                     MDB_NOOVERWRITE);
    if (rc == 0)
        rc = bnd_raw_put(t->st, txn, bnd_key_account_pairs(a.id, p.id), "", 0,
                         0);
    p.epoch++;
    if (rc == 0)
        rc = put_pair(txn, t, &p);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": member %" PRIu64 " added%s, epoch %" PRIu32,
             p.id, a.id, t->left ? " (as left)" : "", p.epoch);
    return rc;
}

/* A team pairing's member record (issue 14): marked as gone at the
 * pair's epoch, brought back (to_epoch 0), or deleted, with no entry. */
static int member_edit(MDB_txn *txn, tamper *t, int how)
{
    static const char *const what[] = {"shown as left", "brought back",
                                       "withheld"};
    bn_rec_pair p;
    bn_rec_member m;
    int rc = get_pair(txn, t, &p);

    if (rc == 0)
        rc = bnd_rec_get(t->st, txn, bnd_key_members(p.id, t->id[0]), &m,
                         &t->arena);
    if (rc != 0)
        return rc;
    if (how == 2)
        rc = bnd_rec_del(t->st, txn, bnd_key_members(p.id, m.account_id));
    else {
        m.to_epoch = how == 0 ? (p.epoch > 1 ? p.epoch : 2) : 0;
        rc =
            bnd_rec_put(t->st, txn, bnd_key_members(p.id, m.account_id), &m, 0);
    }
    if (rc == 0 && how == 1)
        rc = bnd_raw_put(t->st, txn, bnd_key_account_pairs(m.account_id, p.id),
                         "", 0, 0);
    snprintf(t->done, sizeof t->done, "pair %" PRIu64 ": member %" PRIu64 " %s",
             p.id, m.account_id, what[how]);
    return rc;
}

static int do_member_left(MDB_txn *txn, tamper *t)
{
    return member_edit(txn, t, 0);
}

static int do_member_back(MDB_txn *txn, tamper *t)
{
    return member_edit(txn, t, 1);
}

static int do_drop_member(MDB_txn *txn, tamper *t)
{
    return member_edit(txn, t, 2);
}

/* Raises the pair's epoch by one, with no log entry. */
static int do_bump_epoch(MDB_txn *txn, tamper *t)
{
    bn_rec_pair p;
    int rc = get_pair(txn, t, &p);

    if (rc != 0)
        return rc;
    p.epoch++;
    snprintf(t->done, sizeof t->done, "pair %" PRIu64 ": epoch %" PRIu32, p.id,
             p.epoch);
    return put_pair(txn, t, &p);
}

/* Flips one bit of the sealed identity the server keeps for an account's
 * recovery code (issue 15): the first argument is the account. */
static int do_recovery_flip(MDB_txn *txn, tamper *t)
{
    bn_rec_recovery r;
    int rc = bnd_rec_get(t->st, txn, bnd_key_recovery(t->pair), &r, &t->arena);

    if (rc != 0)
        return rc;
    r.blob[sizeof r.blob - 1] ^= 1;
    snprintf(t->done, sizeof t->done,
             "account %" PRIu64 ": recovery copy altered", t->pair);
    return bnd_rec_put(t->st, txn, bnd_key_recovery(t->pair), &r, 0);
}

/* Deletes every key wrap of the pair (every epoch, every member). */
static int do_drop_wraps(MDB_txn *txn, tamper *t)
{
    bnd_key k = bnd_key_prefix(bnd_key_wraps(t->pair, 0, 0), 1);
    uint64_t n = 0;
    int rc = bnd_del_prefix(t->st, txn, k, 0, 0, &n);

    if (rc == 0 && n == 0)
        rc = BN_ENOTFOUND;
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": %" PRIu64 " wraps deleted", t->pair, n);
    return rc;
}

/* Appends to PAIR's log a PAIR_ERASE entry (sub 0: a consent to erase
 * the pair) in the name of member ACCOUNT, chained on the head: what an
 * operator would plant to make a member believe the other asked. The
 * operator holds no member's key: the signature is made up. */
static int do_fake_erase_consent(MDB_txn *txn, tamper *t)
{
    bn_rec_pair p;
    bn_rec_log rec;
    bn_log_entry e;
    uint8_t raw[BN_LOG_ENTRY_BYTES];
    int rc = get_pair(txn, t, &p);

    if (rc == 0)
        rc = bnd_exists(t->st, txn, bnd_key_members(t->pair, t->id[0]));
    if (rc == 0)
        rc = BN_ENOTFOUND; /* not a member of the pair */
    if (rc != 1)
        return rc;
    memset(&e, 0, sizeof e);
    e.version = BN_LOG_VERSION;
    e.op = BN_MSG_PAIR_ERASE;
    e.sub = BN_LOG_ERASE_PAIR;
    e.seq = p.log_seq + 1;
    memcpy(e.prev, p.log_head, sizeof e.prev);
    randombytes_buf(e.body_hash, sizeof e.body_hash);
    randombytes_buf(e.sig, sizeof e.sig);
    e.author_id = t->id[0];
    e.time = bn_now();
    rc = bn_log_entry_encode(raw, &e);
    if (rc == 0)
        rc = bn_log_entry_hash(p.log_head, p.id, &e);
    if (rc != 0)
        return rc;
    rec.entry = (bn_bin){raw, (uint32_t)bn_log_entry_size(&e)};
    rc = bnd_rec_put(t->st, txn, bnd_key_log(p.id, e.seq), &rec,
                     MDB_NOOVERWRITE);
    if (rc != 0)
        return rc;
    p.log_seq = e.seq;
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": entry %" PRIu64 " asks to erase, as %" PRIu64,
             p.id, e.seq, t->id[0]);
    return put_pair(txn, t, &p);
}

/* Flips one bit of the body hash of PAIR's log entry SEQ (issue 15): a
 * tampered entry in an otherwise honest history, whose signature no
 * longer holds. */
static int do_log_flip(MDB_txn *txn, tamper *t)
{
    bn_rec_log rec;
    bn_log_entry e;
    uint8_t raw[BN_LOG_ENTRY_BYTES];
    int rc = bnd_rec_get(t->st, txn, bnd_key_log(t->pair, t->id[0]), &rec,
                         &t->arena);

    if (rc == 0)
        rc = bn_log_entry_decode(&e, rec.entry.ptr, rec.entry.len);
    if (rc != 0)
        return rc;
    e.body_hash[5] ^= 0x10;
    rc = bn_log_entry_encode(raw, &e);
    if (rc != 0)
        return rc;
    rec.entry = (bn_bin){raw, (uint32_t)bn_log_entry_size(&e)};
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": entry %" PRIu64 " altered", t->pair, e.seq);
    return bnd_rec_put(t->st, txn, bnd_key_log(t->pair, e.seq), &rec, 0);
}

/* Gives ACCOUNT the public keys of --from OTHER (a member's keys are its
 * account's: every pair of ACCOUNT sees the substitution). */
static int do_set_member_key(MDB_txn *txn, tamper *t)
{
    bn_rec_account a, other;
    int rc = get_account(txn, t, t->id[0], &a);

    if (rc == 0)
        rc = get_account(txn, t, t->from, &other);
    if (rc == 0)
        rc = bnd_exists(t->st, txn, bnd_key_members(t->pair, a.id));
    if (rc == 0)
        rc = BN_ENOTFOUND; /* not a member of the pair */
    if (rc != 1)
        return rc;
    memcpy(a.sign_pk, other.sign_pk, sizeof a.sign_pk);
    memcpy(a.box_pk, other.box_pk, sizeof a.box_pk);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": member %" PRIu64 " has the keys of %" PRIu64,
             t->pair, a.id, other.id);
    return bnd_rec_put(t->st, txn, bnd_key_accounts(a.id), &a, 0);
}

/* ---- notes ----------------------------------------------------------------
 */

/* Deletes a note's latest revision (meta and envelope): the previous one
 * is then served as current. */
static int do_drop_revision(MDB_txn *txn, tamper *t)
{
    static uint32_t revs[MAX_REVS];
    uint32_t n, last;
    int rc = note_revisions(txn, t, t->id[0], revs, &n);

    if (rc != 0)
        return rc;
    if (n < 2) /* one revision: that is hide-note */
        return BN_ENOTFOUND;
    last = revs[n - 1];
    rc = bnd_rec_del(t->st, txn, bnd_key_notes(t->pair, t->id[0], last));
    if (rc == 0)
        rc =
            bnd_rec_del(t->st, txn, bnd_key_note_envs(t->pair, t->id[0], last));
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": revision %" PRIu32
             " deleted, %" PRIu32 " now served as latest",
             t->pair, t->id[0], last, revs[n - 2]);
    return rc;
}

/* Deletes every revision of a note. */
static int do_hide_note(MDB_txn *txn, tamper *t)
{
    bnd_key k = bnd_key_prefix(bnd_key_notes(t->pair, t->id[0], 0), 2);
    uint64_t n = 0;
    int rc = bnd_del_prefix(t->st, txn, k, 0, 0, &n);

    if (rc == 0 && n == 0)
        return BN_ENOTFOUND;
    k = bnd_key_prefix(bnd_key_note_envs(t->pair, t->id[0], 0), 2);
    if (rc == 0)
        rc = bnd_del_prefix(t->st, txn, k, 0, 0, NULL);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": %" PRIu64
             " revisions deleted",
             t->pair, t->id[0], n);
    return rc;
}

/* Gives every revision of a note another session id (0: none); the
 * session must exist in the pair. */
static int do_move_note(MDB_txn *txn, tamper *t)
{
    static uint32_t revs[MAX_REVS];
    bn_rec_session s;
    uint32_t n;
    bnd_key k;
    int rc = note_revisions(txn, t, t->id[0], revs, &n);

    if (rc == 0 && n == 0)
        rc = BN_ENOTFOUND;
    if (rc == 0 && t->id[1] != 0)
        rc = get_session(txn, t, t->id[1], &s);
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        bn_rec_note m;
        k = bnd_key_notes(t->pair, t->id[0], revs[i]);
        rc = bnd_rec_get(t->st, txn, k, &m, &t->arena);
        m.session_id = t->id[1];
        if (rc == 0)
            rc = bnd_rec_put(t->st, txn, k, &m, 0);
    }
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": %" PRIu32
             " revisions moved to session %" PRIu64,
             t->pair, t->id[0], n, t->id[1]);
    return rc;
}

/* Copies revision rev of note `from` to note `to`, revision `to_rev`: the
 * same envelope under another name, and no log entry for it. */
static int copy_revision(MDB_txn *txn, tamper *t, uint64_t from, uint32_t rev,
                         uint64_t to, uint32_t to_rev)
{
    bn_rec_note m;
    bn_rec_note_env e;
    bnd_key k = bnd_key_notes(t->pair, from, rev);
    bnd_key ek = bnd_key_note_envs(t->pair, from, rev);
    int rc;

    rc = bnd_rec_get(t->st, txn, k, &m, &t->arena);
    if (rc == 0)
        rc = bnd_rec_get(t->st, txn, ek, &e, &t->arena);
    if (rc != 0)
        return rc;
    m.note_id = to;
    m.revision = to_rev;
    m.created = bn_now();
    k = bnd_key_notes(t->pair, to, to_rev);
    ek = bnd_key_note_envs(t->pair, to, to_rev);
    rc = bnd_rec_put(t->st, txn, k, &m, MDB_NOOVERWRITE);
    if (rc == 0)
        rc = bnd_rec_put(t->st, txn, ek, &e, MDB_NOOVERWRITE);
    return rc;
}

/* Serves a note's every revision again under a new note id. */
static int do_copy_note(MDB_txn *txn, tamper *t)
{
    static uint32_t revs[MAX_REVS];
    uint32_t n, have;
    int rc = note_revisions(txn, t, t->id[0], revs, &n);

    if (rc == 0 && n == 0)
        rc = BN_ENOTFOUND;
    if (rc != 0)
        return rc;
    static uint32_t other[MAX_REVS];
    rc = note_revisions(txn, t, t->id[1], other, &have);
    if (rc == 0 && have != 0)
        rc = BN_EEXIST;
    for (uint32_t i = 0; i < n && rc == 0; i++)
        rc = copy_revision(txn, t, t->id[0], revs[i], t->id[1], revs[i]);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 " copied as note %016" PRIx64
             " (%" PRIu32 " revisions)",
             t->pair, t->id[0], t->id[1], n);
    return rc;
}

/* Serves a note's latest revision again as revision r + 1. */
static int do_dup_revision(MDB_txn *txn, tamper *t)
{
    static uint32_t revs[MAX_REVS];
    uint32_t n;
    int rc = note_revisions(txn, t, t->id[0], revs, &n);

    if (rc == 0 && n == 0)
        rc = BN_ENOTFOUND;
    if (rc != 0)
        return rc;
    rc =
        copy_revision(txn, t, t->id[0], revs[n - 1], t->id[0], revs[n - 1] + 1);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": revision %" PRIu32
             " served again as revision %" PRIu32,
             t->pair, t->id[0], revs[n - 1], revs[n - 1] + 1);
    return rc;
}

/* Serves revision id[1] of a note (its envelope and its metadata, author
 * included) under the note's latest revision number: an older text
 * passed off as the latest edit. */
static int do_replay_revision(MDB_txn *txn, tamper *t)
{
    static uint32_t revs[MAX_REVS];
    uint32_t n, last;
    int rc = note_revisions(txn, t, t->id[0], revs, &n);

    if (rc == 0 && n == 0)
        rc = BN_ENOTFOUND;
    if (rc != 0)
        return rc;
    last = revs[n - 1];
    if (t->id[1] >= last)
        return BN_EINVAL;
    rc = bnd_rec_del(t->st, txn, bnd_key_notes(t->pair, t->id[0], last));
    if (rc == 0)
        rc =
            bnd_rec_del(t->st, txn, bnd_key_note_envs(t->pair, t->id[0], last));
    if (rc == 0)
        rc =
            copy_revision(txn, t, t->id[0], (uint32_t)t->id[1], t->id[0], last);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": revision %" PRIu64
             " served as revision %" PRIu32,
             t->pair, t->id[0], t->id[1], last);
    return rc;
}

/* Swaps the author recorded for a note's first and latest revisions (the
 * server's records only: the envelopes and the log stay). */
static int do_swap_authors(MDB_txn *txn, tamper *t)
{
    static uint32_t revs[MAX_REVS];
    bn_rec_note a, b;
    bnd_key ka, kb;
    uint32_t n;
    uint64_t who;
    int rc = note_revisions(txn, t, t->id[0], revs, &n);

    if (rc == 0 && n < 2)
        rc = BN_ENOTFOUND;
    if (rc != 0)
        return rc;
    ka = bnd_key_notes(t->pair, t->id[0], revs[0]);
    kb = bnd_key_notes(t->pair, t->id[0], revs[n - 1]);
    rc = bnd_rec_get(t->st, txn, ka, &a, &t->arena);
    if (rc == 0)
        rc = bnd_rec_get(t->st, txn, kb, &b, &t->arena);
    if (rc == 0 && a.author_id == b.author_id)
        rc = BN_EINVAL; /* nothing to swap */
    if (rc != 0)
        return rc;
    who = a.author_id;
    a.author_id = b.author_id;
    b.author_id = who;
    rc = bnd_rec_put(t->st, txn, ka, &a, 0);
    if (rc == 0)
        rc = bnd_rec_put(t->st, txn, kb, &b, 0);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": revision %" PRIu32
             " now said to be by %" PRIu64 ", revision %" PRIu32 " by %" PRIu64,
             t->pair, t->id[0], revs[0], a.author_id, revs[n - 1], b.author_id);
    return rc;
}

/* Records account id[2] as the author of a note's revision id[1] (the
 * server's record only: the envelope and the log stay). */
static int do_set_note_author(MDB_txn *txn, tamper *t)
{
    bn_rec_note m;
    bn_rec_account a;
    bnd_key k = bnd_key_notes(t->pair, t->id[0], (uint32_t)t->id[1]);
    int rc = bnd_rec_get(t->st, txn, k, &m, &t->arena);

    if (rc == 0)
        rc = get_account(txn, t, t->id[2], &a);
    if (rc != 0)
        return rc;
    m.author_id = a.id;
    rc = bnd_rec_put(t->st, txn, k, &m, 0);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": revision %" PRIu64
             " now said to be by %" PRIu64,
             t->pair, t->id[0], t->id[1], a.id);
    return rc;
}

/* Deletes one revision of a note that is not its latest (meta and
 * envelope): the latest is served as before, the history has a hole. */
static int do_hide_revision(MDB_txn *txn, tamper *t)
{
    static uint32_t revs[MAX_REVS];
    uint32_t n;
    int rc = note_revisions(txn, t, t->id[0], revs, &n);

    if (rc == 0 && (n < 2 || t->id[1] >= revs[n - 1]))
        rc = BN_EINVAL; /* the latest: that is drop-revision */
    if (rc != 0)
        return rc;
    rc = bnd_rec_del(t->st, txn,
                     bnd_key_notes(t->pair, t->id[0], (uint32_t)t->id[1]));
    if (rc == 0)
        rc = bnd_rec_del(
            t->st, txn,
            bnd_key_note_envs(t->pair, t->id[0], (uint32_t)t->id[1]));
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": note %016" PRIx64 ": revision %" PRIu64
             " deleted",
             t->pair, t->id[0], t->id[1]);
    return rc;
}

/* ---- objectives, documents, sessions ------------------------------------- */

static int do_hide_objective(MDB_txn *txn, tamper *t)
{
    bn_rec_objective o;
    bn_rec_pair p;
    int rc = get_pair(txn, t, &p);

    if (rc == 0)
        rc = get_objective(txn, t, t->id[0], &o);
    if (rc == 0)
        rc = bnd_rec_del(t->st, txn, bnd_key_objectives(t->pair, o.id));
    if (rc == 0)
        rc = objectives_uncount(txn, t, p.programme_id, 1,
                                o.status == BN_OBJECTIVE_REACHED);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": objective %016" PRIx64 " deleted", t->pair,
             t->id[0]);
    return rc;
}

/* objective_target rewrites objective id's target date (t->target: a
 * day, or none) in obj_targets. */
static int objective_target(MDB_txn *txn, tamper *t, uint64_t id)
{
    bnd_key k = bnd_key_obj_targets(t->pair, id);
    bn_rec_obj_target r;

    memset(&r, 0, sizeof r);
    r.pair_id = t->pair;
    r.objective_id = id;
    if (strcmp(t->target, "none") == 0) {
        int rc = bnd_rec_del(t->st, txn, k);
        return rc == BN_ENOTFOUND ? BN_EEXIST : rc;
    }
    if (bn_date_parse(t->target, &r.target_date) != 0)
        return BN_EINVAL;
    return bnd_rec_put(t->st, txn, k, &r, 0);
}

/* Sets an objective defined (reached date cleared) or reached (on the day
 * it was defined, by its author), and/or rewrites its target date. */
static int do_objective_set(MDB_txn *txn, tamper *t)
{
    bn_rec_objective o;
    bn_rec_pair p;
    uint8_t want;
    int rc;

    if (t->status == NULL && t->target != NULL) {
        rc = get_objective(txn, t, t->id[0], &o);
        if (rc == 0)
            rc = objective_target(txn, t, o.id);
        snprintf(t->done, sizeof t->done,
                 "pair %" PRIu64 ": objective %016" PRIx64 " target %s",
                 t->pair, t->id[0], t->target);
        return rc;
    }
    if (t->status == NULL)
        return BN_EINVAL;
    if (strcmp(t->status, "reached") == 0)
        want = BN_OBJECTIVE_REACHED;
    else if (strcmp(t->status, "defined") == 0)
        want = BN_OBJECTIVE_DEFINED;
    else if (strcmp(t->status, "abandoned") == 0)
        want = BN_OBJECTIVE_ABANDONED;
    else
        return BN_EINVAL;
    rc = get_pair(txn, t, &p);
    if (rc == 0)
        rc = get_objective(txn, t, t->id[0], &o);
    if (rc != 0)
        return rc;
    if (o.status == want)
        return BN_EEXIST; /* nothing would change */
    /* The counters move as the server's own writes move them. */
    rc = bnd_stats_objective(t->st, txn, p.id, p.programme_id, o.status, want);
    o.status = want;
    o.reached_date = want == BN_OBJECTIVE_DEFINED ? 0 : o.defined_date;
    o.reached_by = want == BN_OBJECTIVE_DEFINED ? 0 : o.author_id;
    if (rc == 0)
        rc = bnd_rec_put(t->st, txn, bnd_key_objectives(t->pair, o.id), &o, 0);
    if (rc == 0 && t->target != NULL)
        rc = objective_target(txn, t, o.id);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": objective %016" PRIx64 " set %s", t->pair, o.id,
             t->status);
    return rc;
}

/* Deletes a document: its record and every chunk. */
static int do_hide_doc(MDB_txn *txn, tamper *t)
{
    bnd_key k = bnd_key_prefix(bnd_key_doc_chunks(t->pair, t->id[0], 0), 2);
    uint64_t n = 0;
    int rc = bnd_rec_del(t->st, txn, bnd_key_docs(t->pair, t->id[0]));

    if (rc == 0)
        rc = bnd_del_prefix(t->st, txn, k, 0, 0, &n);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": document %016" PRIx64 " deleted (%" PRIu64
             " chunks)",
             t->pair, t->id[0], n);
    return rc;
}

/* Rewrites a document's self-diagnosis mark (--kind plain|diagnosis)
 * and/or its date (--date) in doc_marks. */
static int do_doc_mark(MDB_txn *txn, tamper *t)
{
    bnd_key k = bnd_key_doc_marks(t->pair, t->id[0]);
    bn_rec_doc_mark m;
    int rc = bnd_exists(t->st, txn, bnd_key_docs(t->pair, t->id[0]));

    if (rc <= 0)
        return rc == 0 ? BN_ENOTFOUND : rc;
    rc = bnd_rec_get(t->st, txn, k, &m, &t->arena);
    if (rc == BN_ENOTFOUND) {
        memset(&m, 0, sizeof m);
        m.pair_id = t->pair;
        m.doc_id = t->id[0];
    } else if (rc != 0) {
        return rc;
    }
    if (t->kind != NULL && strcmp(t->kind, "plain") == 0)
        m.kind = BN_DOC_PLAIN;
    else if (t->kind != NULL && strcmp(t->kind, "diagnosis") == 0)
        m.kind = BN_DOC_DIAGNOSIS;
    else if (t->kind != NULL)
        return BN_EINVAL;
    if (t->date != NULL && bn_date_parse(t->date, &m.date) != 0)
        return BN_EINVAL;
    if (t->kind == NULL && t->date == NULL)
        return BN_EINVAL;
    if (m.kind == BN_DOC_PLAIN)
        rc = bnd_rec_del(t->st, txn, k);
    else
        rc = bnd_rec_put(t->st, txn, k, &m, 0);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": document %016" PRIx64 " mark: kind %u, date "
             "%u",
             t->pair, t->id[0], (unsigned)m.kind, m.date);
    return rc == BN_ENOTFOUND ? BN_EEXIST : rc;
}

/* Deletes a session record (the statistics keep counting it: an operator
 * who hides a session from the pair need not hide it from the
 * programme). */
static int do_hide_session(MDB_txn *txn, tamper *t)
{
    int rc = bnd_rec_del(t->st, txn, bnd_key_sessions(t->pair, t->id[0]));

    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": session %" PRIu64 " deleted", t->pair,
             t->id[0]);
    return rc;
}

/* parse_absent reads none|mentor|mentee|both into BN_ABSENT_* bits. */
static int parse_absent(const char *s, uint8_t *out)
{
    if (strcmp(s, "none") == 0)
        *out = 0;
    else if (strcmp(s, "mentor") == 0)
        *out = BN_ABSENT_MENTOR;
    else if (strcmp(s, "mentee") == 0)
        *out = BN_ABSENT_MENTEE;
    else if (strcmp(s, "both") == 0)
        *out = BN_ABSENT_MENTOR | BN_ABSENT_MENTEE;
    else
        return BN_EINVAL;
    return 0;
}

/* Rewrites a session's date, status or absences (what is not given is
 * kept); the statistics follow, as the daemon's own update would. */
static int do_session_set(MDB_txn *txn, tamper *t)
{
    bn_rec_session s;
    bn_rec_pair p;
    int rc = get_pair(txn, t, &p);

    if (rc == 0)
        rc = get_session(txn, t, t->id[0], &s);
    if (rc != 0)
        return rc;
    bnd_session_fact before, after;
    rc = bnd_stats_fact(t->st, txn, &s, &before);
    if (rc != 0)
        return rc;
    if (t->date != NULL && bn_date_parse(t->date, &s.date) != 0)
        return BN_EINVAL;
    if (t->status != NULL) {
        if (strcmp(t->status, "planned") == 0)
            s.status = BN_SESSION_PLANNED;
        else if (strcmp(t->status, "held") == 0)
            s.status = BN_SESSION_HELD;
        else if (strcmp(t->status, "cancelled") == 0)
            s.status = BN_SESSION_CANCELLED;
        else
            return BN_EINVAL;
    }
    if (t->absent != NULL && parse_absent(t->absent, &s.absent) != 0)
        return BN_EINVAL;
    if (t->date == NULL && t->status == NULL && t->absent == NULL &&
        t->mode == NULL && t->follow == NULL && t->absentees == NULL)
        return BN_EINVAL;
    if (t->follow != NULL) {
        /* session_follow: a row per follow-up (issue 14) */
        bnd_key fk = bnd_key_session_follow(p.id, s.id);
        bn_rec_follow_up f;
        memset(&f, 0, sizeof f);
        f.pair_id = p.id;
        f.session_id = s.id;
        f.follow_up = 1;
        if (strcmp(t->follow, "yes") == 0)
            rc = bnd_rec_put(t->st, txn, fk, &f, 0);
        else if (strcmp(t->follow, "no") == 0)
            rc = bnd_rec_del(t->st, txn, fk);
        else
            return BN_EINVAL;
        if (rc == BN_ENOTFOUND)
            rc = BN_EEXIST; /* nothing would change */
        if (rc != 0)
            return rc;
    }
    if (t->absentees != NULL) {
        /* session_absent: the members named absent, "" for none; the
         * list is stored as given (any ids, any order) */
        struct bn_account_ref v[BN_MEMBERS_MAX];
        bn_rec_session_absent a;
        const char *q = t->absentees;
        memset(&a, 0, sizeof a);
        a.pair_id = p.id;
        a.session_id = s.id;
        a.absentees.v = v;
        while (*q != '\0') {
            char *end;
            if (a.absentees.len == BN_MEMBERS_MAX)
                return BN_EINVAL;
            memset(&v[a.absentees.len], 0, sizeof v[0]);
            v[a.absentees.len++].account_id = strtoull(q, &end, 10);
            if (end == q || (*end != ',' && *end != '\0'))
                return BN_EINVAL;
            q = *end == ',' ? end + 1 : end;
        }
        bnd_key ak = bnd_key_session_absent(p.id, s.id);
        rc = a.absentees.len == 0 ? bnd_rec_del(t->st, txn, ak)
                                  : bnd_rec_put(t->st, txn, ak, &a, 0);
        if (rc == BN_ENOTFOUND)
            rc = 0;
        if (rc != 0)
            return rc;
    }
    if (t->mode != NULL) {
        /* session_modes: a row per session with a mode, none: unknown */
        static const char *const modes[] = {"unknown", "in-person", "video",
                                            "phone"};
        bn_rec_session_mode m;
        memset(&m, 0, sizeof m);
        m.pair_id = p.id;
        m.session_id = s.id;
        while (m.mode <= BN_MODE_MAX && strcmp(t->mode, modes[m.mode]) != 0)
            m.mode++;
        if (m.mode > BN_MODE_MAX)
            return BN_EINVAL;
        bnd_key mk = bnd_key_session_modes(p.id, s.id);
        rc = m.mode == BN_MODE_UNKNOWN ? bnd_rec_del(t->st, txn, mk)
                                       : bnd_rec_put(t->st, txn, mk, &m, 0);
        if (rc == BN_ENOTFOUND)
            rc = BN_EEXIST; /* nothing would change */
        if (rc != 0)
            return rc;
    }
    rc = bnd_rec_put(t->st, txn, bnd_key_sessions(t->pair, s.id), &s, 0);
    if (rc == 0)
        rc = bnd_stats_fact(t->st, txn, &s, &after);
    if (rc == 0)
        rc = bnd_stats_session(t->st, txn, p.id, p.programme_id, &before,
                               &after);
    char d[11];
    bn_date_format(d, s.date);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": session %" PRIu64 " set: date %s, status %u,"
             " absent %u",
             t->pair, s.id, d, (unsigned)s.status, (unsigned)s.absent);
    return rc;
}

/* ---- the pair's state ---------------------------------------------------- */

/* Fakes the pair's end (completed or withdrawn, today, by its mentor) or
 * undoes a real one (active), and/or rewrites which members accepted the
 * charter (none|mentor|mentee|both; fewer than both makes it pending). */
static int do_pair_set(MDB_txn *txn, tamper *t)
{
    bn_rec_pair p;
    uint8_t old;
    int rc = get_pair(txn, t, &p);

    if (rc != 0)
        return rc;
    if (t->status == NULL && t->accepted == NULL)
        return BN_EINVAL;
    old = p.status;
    if (t->accepted != NULL) {
        uint8_t bits;
        if (parse_absent(t->accepted, &bits) != 0)
            return BN_EINVAL; /* the same words, the same bits */
        p.accepted = bits;
        if (bits != (BN_ACCEPTED_MENTOR | BN_ACCEPTED_MENTEE)) {
            p.status = BN_PAIR_PENDING;
            p.start_date = 0;
        }
    }
    if (t->status != NULL) {
        if (strcmp(t->status, "active") == 0) {
            p.status = BN_PAIR_ACTIVE;
            p.end_date = 0;
            p.end_reason = 0;
            p.ended_by = 0;
        } else if (strcmp(t->status, "completed") == 0 ||
                   strcmp(t->status, "withdrawn") == 0 ||
                   strcmp(t->status, "stalled") == 0) {
            int done = strcmp(t->status, "completed") == 0;
            p.status = done ? BN_PAIR_COMPLETED : BN_PAIR_WITHDRAWN;
            p.end_reason = done                  ? BN_END_COMPLETED
                           : t->status[0] == 'w' ? BN_END_WITHDRAWN
                                                 : BN_END_STALLED;
            p.end_date = bn_date_today();
            p.ended_by = t->from ? t->from : p.mentor_id;
        } else {
            return BN_EINVAL;
        }
    }
    rc = put_pair(txn, t, &p);
    if (rc == 0)
        rc = bnd_stats_pair_status(t->st, txn, p.programme_id, old, p.status);
    snprintf(t->done, sizeof t->done,
             "pair %" PRIu64 ": status %u (was %u), accepted %u", p.id,
             (unsigned)p.status, (unsigned)old, (unsigned)p.accepted);
    return rc;
}

/* The structure's signature of PAIR's programme's charter: one bit of the
 * signature flipped (issue 13). */
static int do_structure_sig(MDB_txn *txn, tamper *t)
{
    bn_rec_prog_accept a;
    bn_rec_pair p;
    int rc = get_pair(txn, t, &p);

    if (rc == 0)
        rc = bnd_rec_get(t->st, txn, bnd_key_prog_accepts(p.programme_id), &a,
                         &t->arena);
    if (rc != 0)
        return rc;
    a.sig[7] ^= 0x20;
    rc = bnd_rec_put(t->st, txn, bnd_key_prog_accepts(p.programme_id), &a, 0);
    snprintf(t->done, sizeof t->done,
             "programme %" PRIu64 ": the structure's charter signature "
             "altered",
             p.programme_id);
    return rc;
}

/* revive-account: the operator brings an erased account back (issue 15)
 * as a copy of its record from before would: its public keys (those the
 * erased member kept for PAIR, the very keys of before), a name, and no
 * `erased` row; with --status active, PAIR shown active again too (so
 * that the member who remains would key it anew). */
static int do_revive_account(MDB_txn *txn, tamper *t)
{
    bn_rec_erased_key k;
    bn_rec_account a;
    uint64_t id = t->id[0];
    int rc = bnd_rec_get(t->st, txn, bnd_key_erased_keys(t->pair, id), &k,
                         &t->arena);

    if (rc == 0)
        rc = get_account(txn, t, id, &a);
    if (rc != 0)
        return rc;
    memcpy(a.sign_pk, k.sign_pk, 32);
    memcpy(a.box_pk, k.box_pk, 32);
    a.name.ptr = "revived";
    a.name.len = 7;
    rc = bnd_rec_put(t->st, txn, bnd_key_accounts(id), &a, 0);
    if (rc == 0)
        rc = bnd_rec_del(t->st, txn, bnd_key_erased(id));
    if (rc == 0 && t->status != NULL) {
        bn_rec_pair p;
        rc = get_pair(txn, t, &p);
        if (rc == 0 && strcmp(t->status, "active") != 0)
            return BN_EINVAL;
        if (rc == 0) {
            p.status = BN_PAIR_ACTIVE;
            p.end_date = 0;
            p.end_reason = 0;
            p.ended_by = 0;
            rc = put_pair(txn, t, &p);
        }
    }
    snprintf(t->done, sizeof t->done,
             "account %" PRIu64 " revived with its old keys%s", id,
             t->status != NULL ? "; its pair shown active again" : "");
    return rc;
}

/* ---- the table ------------------------------------------------------------
 */

/* args: the positional ids after DATA: P pair (decimal), A account
 * (decimal), S session (decimal, 0 allowed for move-note), R a note's
 * revision (decimal), Q a log entry's seq (decimal), N note, O
 * objective, D document (16 hex digits each). */
typedef struct tamper_cmd {
    const char *name;
    const char *args;
    tamper_fn fn;
    const char *usage;
    const char *help;
} tamper_cmd;

static const tamper_cmd cmds[] = {
    {"phantom-member", "PA", do_phantom_member, "DATA PAIR ACCOUNT [--left]",
     "add ACCOUNT to PAIR's members from the next epoch and raise the epoch;"
     " --left: recorded as already gone (to_epoch set), out of the key hash"},
    {"member-left", "PA", do_member_left, "DATA PAIR ACCOUNT",
     "show member ACCOUNT as gone (to_epoch: the pair's epoch), no entry"},
    {"member-back", "PA", do_member_back, "DATA PAIR ACCOUNT",
     "bring a member who left back (to_epoch 0, in their list), no entry"},
    {"drop-member", "PA", do_drop_member, "DATA PAIR ACCOUNT",
     "delete member ACCOUNT's record of PAIR (withhold a member)"},
    {"recovery-flip", "A", do_recovery_flip, "DATA ACCOUNT",
     "flip one bit of ACCOUNT's identity sealed under its recovery code"},
    {"bump-epoch", "P", do_bump_epoch, "DATA PAIR",
     "raise PAIR's key epoch by one"},
    {"drop-wraps", "P", do_drop_wraps, "DATA PAIR",
     "delete every key wrap of PAIR"},
    {"fake-erase-consent", "PA", do_fake_erase_consent, "DATA PAIR ACCOUNT",
     "append a consent to erase PAIR in ACCOUNT's name (an unsigned entry)"},
    {"set-member-key", "PA", do_set_member_key,
     "DATA PAIR ACCOUNT --from OTHER",
     "give member ACCOUNT the public keys of account OTHER"},
    {"drop-revision", "PN", do_drop_revision, "DATA PAIR NOTE",
     "delete NOTE's latest revision: the previous one is served as latest "
     "(a note of one revision: use hide-note)"},
    {"hide-note", "PN", do_hide_note, "DATA PAIR NOTE",
     "delete every revision of NOTE"},
    {"move-note", "PNS", do_move_note, "DATA PAIR NOTE SESSION",
     "attach every revision of NOTE to SESSION (0: to none)"},
    {"copy-note", "PNN", do_copy_note, "DATA PAIR NOTE NEWNOTE",
     "serve NOTE's revisions again under the id NEWNOTE"},
    {"dup-revision", "PN", do_dup_revision, "DATA PAIR NOTE",
     "serve NOTE's latest revision r again as revision r+1"},
    {"replay-revision", "PNR", do_replay_revision, "DATA PAIR NOTE REV",
     "serve NOTE's revision REV (text and author) under its latest "
     "revision's number"},
    {"swap-authors", "PN", do_swap_authors, "DATA PAIR NOTE",
     "swap the authors recorded for NOTE's first and latest revisions"},
    {"set-note-author", "PNRA", do_set_note_author,
     "DATA PAIR NOTE REV ACCOUNT",
     "record ACCOUNT as the author of NOTE's revision REV"},
    {"hide-revision", "PNR", do_hide_revision, "DATA PAIR NOTE REV",
     "delete NOTE's revision REV (not the latest)"},
    {"hide-objective", "PO", do_hide_objective, "DATA PAIR OBJ",
     "delete objective OBJ"},
    {"objective-set", "PO", do_objective_set,
     "DATA PAIR OBJ [--status defined|reached|abandoned] "
     "[--target YYYY-MM-DD|none]",
     "set OBJ defined, reached or abandoned (on its definition day), "
     "and/or rewrite its target date"},
    {"doc-mark", "PD", do_doc_mark,
     "DATA PAIR DOC [--kind plain|diagnosis] [--date YYYY-MM-DD]",
     "rewrite DOC's self-diagnosis mark or its date"},
    {"hide-doc", "PD", do_hide_doc, "DATA PAIR DOC",
     "delete document DOC and its chunks"},
    {"hide-session", "PS", do_hide_session, "DATA PAIR SESSION",
     "delete SESSION"},
    {"session-set", "PS", do_session_set,
     "DATA PAIR SESSION [--date YYYY-MM-DD] [--status held|planned|cancelled]"
     " [--absent none|mentor|mentee|both] [--absentees ID,ID]"
     " [--mode unknown|in-person|video|phone] [--follow-up yes|no]",
     "rewrite SESSION's date, status, attendance, mode or follow-up flag"},
    {"structure-sig", "P", do_structure_sig, "DATA PAIR",
     "flip one bit of the structure's signature of PAIR's programme's "
     "charter"},
    {"revive-account", "PA", do_revive_account,
     "DATA PAIR ACCOUNT [--status active]",
     "bring erased ACCOUNT back with the keys it kept for PAIR and a name, "
     "its erasure forgotten; --status active: PAIR shown active again"},
    {"pair-set", "P", do_pair_set,
     "DATA PAIR [--status active|completed|withdrawn|stalled]"
     " [--from ACCOUNT] [--accepted none|mentor|mentee|both]",
     "fake PAIR's end (by ACCOUNT, else its mentor: an account that is no "
     "member is the coordinator), undo it, or rewrite who accepted the "
     "charter"},
    {"log-flip", "PQ", do_log_flip, "DATA PAIR SEQ",
     "flip a bit of what PAIR's log entry SEQ says it logged (its "
     "signature no longer holds)"},
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: bn_tamper COMMAND DATA ARGS...  (binomed stopped)\n\n"
               "Ids as the CLI prints them: PAIR, SESSION, ACCOUNT decimal; "
               "NOTE, OBJ, DOC 16 hex digits.\n\n");
    for (size_t i = 0; i < NCMDS; i++)
        fprintf(f, "  %s %s\n      %s\n", cmds[i].name, cmds[i].usage,
                cmds[i].help);
}

static int parse_dec(const char *s, uint64_t *out)
{
    char *end;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

static int parse_hex(const char *s, uint64_t *out)
{
    uint8_t b[8];
    if (strlen(s) != 16 || bn_hex_decode(b, 8, s) != 0)
        return -1;
    *out = bn_get_be64(b);
    return *out != 0 ? 0 : -1;
}

/* parse reads the positional ids and the options of cmd: 0 or -1. */
static int parse(const tamper_cmd *c, int argc, char **argv, tamper *t)
{
    size_t want = strlen(c->args);
    size_t got = 0;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **opt = NULL;
        if (strcmp(a, "--left") == 0) {
            t->left = 1;
            continue;
        }
        if (strcmp(a, "--date") == 0)
            opt = &t->date;
        else if (strcmp(a, "--status") == 0)
            opt = &t->status;
        else if (strcmp(a, "--absent") == 0)
            opt = &t->absent;
        else if (strcmp(a, "--accepted") == 0)
            opt = &t->accepted;
        else if (strcmp(a, "--mode") == 0)
            opt = &t->mode;
        else if (strcmp(a, "--target") == 0)
            opt = &t->target;
        else if (strcmp(a, "--kind") == 0)
            opt = &t->kind;
        else if (strcmp(a, "--follow-up") == 0)
            opt = &t->follow;
        else if (strcmp(a, "--absentees") == 0)
            opt = &t->absentees;
        if (opt != NULL || strcmp(a, "--from") == 0) {
            if (i + 1 >= argc)
                return -1;
            if (opt != NULL)
                *opt = argv[++i];
            else if (parse_dec(argv[++i], &t->from) != 0)
                return -1;
            continue;
        }
        if (a[0] == '-' || got >= want)
            return -1;
        uint64_t v;
        char kind = c->args[got];
        int bad = (kind == 'N' || kind == 'O' || kind == 'D')
                      ? parse_hex(a, &v)
                      : parse_dec(a, &v);
        if (bad || (v == 0 && kind != 'S') || (kind == 'R' && v >= UINT32_MAX))
            return -1;
        if (got == 0)
            t->pair = v;
        else
            t->id[got - 1] = v;
        got++;
    }
    if (got != want)
        return -1;
    if (strcmp(c->name, "set-member-key") == 0 && t->from == 0)
        return -1;
    if (strcmp(c->name, "objective-set") == 0 && t->status == NULL &&
        t->target == NULL)
        return -1;
    return 0;
}

struct run {
    const tamper_cmd *cmd;
    tamper *t;
};

static int run_write(MDB_txn *txn, void *arg)
{
    struct run *r = arg;
    bn_arena_free(&r->t->arena);
    r->t->done[0] = '\0';
    return r->cmd->fn(txn, r->t);
}

int main(int argc, char **argv)
{
    const tamper_cmd *c = NULL;
    bnd_store_opts o = {0, 0, 0, 0};
    tamper t;
    int rc;

    if (argc == 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < NCMDS; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            c = &cmds[i];
    memset(&t, 0, sizeof t);
    if (c == NULL || parse(c, argc - 3, argv + 3, &t) != 0) {
        fprintf(stderr, "bn_tamper: bad command line\n\n");
        usage(stderr);
        return 2;
    }
    rc = bnd_store_open(&t.st, argv[2], &o);
    if (rc != 0) {
        fprintf(stderr, "bn_tamper: %s: %s\n", argv[2],
                rc == -ENOENT ? "no binome data directory" : bn_strerror(rc));
        return 1;
    }
    struct run r = {c, &t};
    rc = bnd_store_write(t.st, run_write, &r);
    if (rc == 0)
        printf("bn_tamper: %s: %s\n", c->name, t.done);
    else
        fprintf(stderr, "bn_tamper: %s: %s (nothing written)\n", c->name,
                bn_strerror(rc));
    bn_arena_free(&t.arena);
    bnd_store_close(t.st);
    return rc == 0 ? 0 : 1;
}
