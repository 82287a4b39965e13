/* bnd_h_note.c: NOTE_PUT, NOTE_LIST, NOTE_GET. The server stores and
 * serves envelopes it cannot open; it checks their form, who may write,
 * the revision rules (DESIGN.md, "Notes") and the log entry of each new
 * revision (a retried revision's entry is not looked at). */
#include <string.h>

#include "bnd_handlers.h"
#include "bnd_quota.h"

/* Finds the latest revision of a note: *rev is 0 when there is none. */
static int latest_revision(bnd_ctx *cx, uint64_t pair, uint64_t note,
                           uint32_t *rev)
{
    MDB_cursor *cur = NULL;
    bnd_key last = bnd_key_notes(pair, note, UINT32_MAX);
    bnd_key mine = bnd_key_prefix(last, 2);
    bnd_keyp_notes kp;
    MDB_val k = bnd_key_val(&last), v;
    int rc = bnd_cursor_open(cx->st, cx->txn, last.db, &cur);

    *rev = 0;
    if (rc != 0)
        return rc;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && !(k.mv_size == last.len && bnd_key_has_prefix(&k, &last)))
        rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
    else if (rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    if (rc == 0 && bnd_key_has_prefix(&k, &mine) &&
        bnd_key_parse_notes(&k, &kp) == 0)
        *rev = kp.revision;
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return bnd_mdb_err(rc);
    return 0;
}

static int get_note(bnd_ctx *cx, uint64_t pair, uint64_t note, uint32_t rev,
                    bn_rec_note *n)
{
    return bnd_rec_get(cx->st, cx->txn, bnd_key_notes(pair, note, rev), n,
                       &cx->arena);
}

static int get_note_env(bnd_ctx *cx, uint64_t pair, uint64_t note, uint32_t rev,
                        bn_rec_note_env *e)
{
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_note_envs(pair, note, rev), e,
                         &cx->arena);
    return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
}

/* note_side: the side a note is kept to (0: the whole pair). */
static int note_side(bnd_ctx *cx, uint64_t pair, uint64_t note, uint8_t *side)
{
    bn_rec_note_side s;
    int rc = bnd_rec_get(cx->st, cx->txn, bnd_key_note_sides(pair, note), &s,
                         &cx->arena);
    *side = 0;
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc == 0)
        *side = s.side;
    return rc;
}

/* visible: 1 when the caller may see note n (a private note is its
 * author's, a side note its side's), 0 when not, or an error. */
static int visible(bnd_ctx *cx, const bn_rec_note *n)
{
    uint8_t side;
    int rc;

    if (n->is_private)
        return n->author_id == cx->actor.account_id;
    rc = note_side(cx, n->pair_id, n->note_id, &side);
    if (rc != 0)
        return rc;
    return side == 0 || side == cx->actor.role;
}

/* project_note: the wire view of n, side_only from note_sides. */
static int project_note(bnd_ctx *cx, const bn_rec_note *n, bn_note_meta *o)
{
    uint8_t side;
    int rc = note_side(cx, n->pair_id, n->note_id, &side);
    bnd_project_note_meta(n, o);
    o->side_only = side != 0;
    return rc;
}

int bnd_h_note_put(bnd_ctx *cx, const bn_msg *req)
{
    const bn_note_put *r = &req->u.note_put;
    bn_rec_member me;
    bn_rec_pair p;
    bn_rec_note n, last;
    bn_rec_note_env env;
    uint32_t latest;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, &me);
    if (rc != 0)
        return rc;
    if (r->note_id == 0 || r->revision == 0 || r->revision == UINT32_MAX ||
        r->kind < 1 || r->kind > BN_KIND_MAX)
        return BN_EINVAL;
    rc = bnd_envelope_ok(r->envelope, r->epoch);
    if (rc != 0)
        return rc;
    if (r->session_id != 0) {
        bn_rec_session sess;
        rc = bnd_get_session(cx, p.id, r->session_id, &sess);
        if (rc != 0)
            return rc;
    }
    if (r->is_private && r->side_only)
        return BN_EINVAL;
    if (!r->is_private) {
        rc = bnd_holds_epoch(cx, &p, &me, r->epoch);
        if (rc == 0 && r->side_only)
            rc = bnd_side_key_held(cx, p.id, r->epoch);
        if (rc != 0)
            return rc;
    }
    rc = latest_revision(cx, p.id, r->note_id, &latest);
    if (rc != 0)
        return rc;
    if (latest != 0) {
        rc = get_note(cx, p.id, r->note_id, latest, &last);
        if (rc != 0)
            return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
        rc = visible(cx, &last);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return BN_ECONFLICT; /* someone else's private note id */
        if (r->revision == latest) {
            /* A retry of a write that landed is a success. */
            rc = get_note_env(cx, p.id, r->note_id, latest, &env);
            if (rc != 0)
                return rc;
            if (last.author_id != cx->actor.account_id ||
                !bnd_same_bin(env.envelope, r->envelope))
                return BN_ECONFLICT;
            cx->rep->u.note_ack.note_id = r->note_id;
            cx->rep->u.note_ack.revision = latest;
            cx->rep->u.note_ack.created = last.created;
            return 0;
        }
        if (r->revision != latest + 1)
            return BN_ECONFLICT;
        uint8_t side;
        rc = note_side(cx, p.id, r->note_id, &side);
        if (rc != 0)
            return rc;
        if (last.is_private != r->is_private || last.kind != r->kind ||
            (side != 0) != (r->side_only != 0))
            return BN_EINVAL;
    } else if (r->revision != 1) {
        return BN_ECONFLICT;
    }
    /* A landed revision was caught above as a retry: the log cannot hold
     * this entry already. */
    rc = bnd_pairlog_append(cx, &p, req, NULL);
    if (rc != 0)
        return rc == BND_LANDED ? BN_ECONFLICT : rc;
    rc = bnd_quota_charge(cx, p.id, r->envelope.len);
    if (rc != 0)
        return rc;

    memset(&n, 0, sizeof n);
    n.pair_id = p.id;
    n.note_id = r->note_id;
    n.revision = r->revision;
    n.kind = r->kind;
    n.is_private = r->is_private ? 1 : 0;
    n.author_id = cx->actor.account_id;
    n.session_id = r->session_id;
    n.epoch = r->epoch;
    n.created = cx->now;
    n.size = r->envelope.len;
    bn_hash(n.env_hash, r->envelope.ptr, r->envelope.len);
    memset(&env, 0, sizeof env);
    env.envelope = r->envelope;
    bnd_key nk = bnd_key_notes(p.id, r->note_id, r->revision);
    bnd_key ek = bnd_key_note_envs(p.id, r->note_id, r->revision);
    rc = bnd_rec_put(cx->st, cx->txn, nk, &n, MDB_NOOVERWRITE);
    if (rc == 0)
        rc = bnd_rec_put(cx->st, cx->txn, ek, &env, MDB_NOOVERWRITE);
    if (rc == 0 && r->side_only && r->revision == 1) {
        bn_rec_note_side ns = {
            .pair_id = p.id, .note_id = r->note_id, .side = me.role};
        rc = bnd_rec_put(cx->st, cx->txn, bnd_key_note_sides(p.id, r->note_id),
                         &ns, MDB_NOOVERWRITE);
    }
    if (rc != 0)
        return rc == BN_EEXIST ? BN_ECONFLICT : rc;
    cx->rep->u.note_ack.note_id = n.note_id;
    cx->rep->u.note_ack.revision = n.revision;
    cx->rep->u.note_ack.created = n.created;
    return 0;
}

struct note_list {
    int have;
    bn_rec_note cur; /* latest revision seen of the current note */
};

/* Takes the note l's state holds if the caller may see it: 1 when the
 * page is full (there is more), else 0. */
static int flush_note(bnd_ctx *cx, bnd_list *l)
{
    struct note_list *nl = l->arg;
    int rc = nl->have ? visible(cx, &nl->cur) : 0;
    if (rc <= 0)
        return rc;
    bn_note_meta *o = bnd_list_take(l, 0);
    if (o == NULL)
        return 1;
    return project_note(cx, &nl->cur, o);
}

static int note_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    bnd_list *l = arg;
    struct note_list *nl = l->arg;
    bn_rec_note n;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_note, &n, &cx->arena);
    if (rc != 0)
        return rc;
    if (!nl->have || n.note_id != nl->cur.note_id) {
        rc = flush_note(cx, l);
        if (rc != 0)
            return rc;
    }
    nl->cur = n;
    nl->have = 1;
    return 0;
}

/* NOTE_LIST: the latest revision of each note the caller may see, by note
 * id, after `after` (a note's keys add its revision to pair and note id:
 * the walk from pair, after + 1 starts at that note's first revision). */
int bnd_h_note_list(bnd_ctx *cx, const bn_msg *req)
{
    const bn_note_list *r = &req->u.note_list;
    struct note_list nl = {0};
    bnd_list l = {NULL, sizeof(bn_note_meta), {0, BND_PAGE, 0}, &nl};
    int rc;

    rc = bnd_list_pair(cx, &l, r->pair_id, r->after,
                       bnd_key_notes(r->pair_id, r->after + 1, 0), note_item);
    if (rc == 0)
        rc = flush_note(cx, &l);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.notes, l, rc);
    return 0;
}

/* NOTE_GET: one revision (0: the latest); someone else's private note is
 * BN_ENOTFOUND, as if it did not exist. */
int bnd_h_note_get(bnd_ctx *cx, const bn_msg *req)
{
    const bn_note_get *r = &req->u.note_get;
    bn_rec_note n;
    bn_rec_note_env env;
    bn_rec_pair p;
    uint32_t rev = r->revision;
    int rc;

    rc = bnd_member_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    if (r->note_id == 0)
        return BN_ENOTFOUND;
    if (rev == 0) {
        rc = latest_revision(cx, p.id, r->note_id, &rev);
        if (rc != 0)
            return rc;
        if (rev == 0)
            return BN_ENOTFOUND;
    }
    rc = get_note(cx, p.id, r->note_id, rev, &n);
    if (rc != 0)
        return rc;
    rc = visible(cx, &n);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return BN_ENOTFOUND;
    rc = get_note_env(cx, p.id, r->note_id, rev, &env);
    if (rc == 0)
        rc = project_note(cx, &n, &cx->rep->u.note.meta);
    if (rc != 0)
        return rc;
    cx->rep->u.note.envelope = env.envelope;
    return 0;
}
