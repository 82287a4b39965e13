/*
 * bnc_note.c: writing, listing and reading notes (DESIGN.md, "Notes").
 * Bodies are sealed on this machine with the pair key of the current
 * epoch, or the author's self_key for a private note, and opened only
 * after the author's signature verified.
 */
#include "binome.h"
#include "bnc_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* note_key picks the key that seals or opens a note, or fails: the
 * author's own key for a private note, their side's key of the epoch for
 * a note kept to a side (issue 14; a member of the other side holds none:
 * BN_ENOKEY), else the pair key of the epoch. */
static int note_key(const bnc_client *c, const bnc_pair *p, int is_private,
                    int side_only, uint64_t author_id, uint32_t epoch,
                    const uint8_t **key)
{
    if (is_private) {
        if (author_id != c->me.id)
            return BN_EDENIED;
        *key = c->profile->id->self_key;
        return 0;
    }
    if (side_only) {
        *key = bnc__side_key(p, epoch);
        return *key != NULL ? 0 : BN_ENOKEY;
    }
    return bnc__content_key(p, epoch, key);
}

/* The associated data says which kind of key sealed the note: 1 the
 * author's own (private), 2 their side's (issue 14), 0 the pair's. */
#define AD_SIDE 2

int bnc__content_key(const bnc_pair *p, uint32_t epoch, const uint8_t **key)
{
    *key = bnc__pair_key(p, epoch);
    if (*key != NULL)
        return 0;
    return p->info.status == BN_PAIR_PENDING ? BN_ENOTACCEPTED : BN_ENOKEY;
}

int bnc_note_put(bnc_client *c, bnc_pair *p, const bnc_note_spec *spec,
                 const uint8_t *body, size_t len, uint64_t *note_id,
                 uint32_t *revision)
{
    const uint8_t *key;
    uint8_t *env = NULL;
    size_t envlen = 0;
    bn_note_ad ad;
    bn_msg req, rep = {0};
    int rc;

    if (p->keys_changed)
        return BN_EUNVERIFIED;
    if (len == 0 || len > BN_NOTE_MAX_PLAINTEXT || spec->kind == 0 ||
        spec->kind > BN_KIND_MAX || spec->revision == UINT32_MAX)
        return BN_EINVAL;
    if (spec->is_private && spec->side_only)
        return BN_EINVAL;
    /* the side's key of this epoch: made by the first who needs it */
    if (spec->side_only && bnc__side_key(p, p->info.epoch) == NULL) {
        rc = bnc__side_key_put(c, p);
        if (rc == BN_ECONFLICT)
            return BN_ESTALE; /* another member of the side made it */
        if (rc != 0)
            return rc;
    }
    rc = note_key(c, p, spec->is_private, spec->side_only, c->me.id,
                  p->info.epoch, &key);
    if (rc != 0)
        return rc;
    ad.pair_id = p->info.id;
    ad.note_id = spec->note_id != 0 ? spec->note_id : bn_random_u64();
    ad.revision = spec->revision + 1;
    ad.author_id = c->me.id;
    ad.kind = spec->kind;
    ad.is_private = spec->is_private ? 1 : spec->side_only ? AD_SIDE : 0;
    ad.session_id = spec->session_id;
    rc = bn_envelope_seal(&env, &envlen, key, p->info.epoch, &ad, body, len,
                          c->profile->id->sign_sk);
    if (rc != 0)
        goto cleanup;
    bn_msg_init(&req, BN_MSG_NOTE_PUT, 0);
    req.u.note_put.pair_id = ad.pair_id;
    req.u.note_put.note_id = ad.note_id;
    req.u.note_put.revision = ad.revision;
    req.u.note_put.kind = ad.kind;
    req.u.note_put.is_private = spec->is_private ? 1 : 0;
    req.u.note_put.side_only = spec->side_only ? 1 : 0;
    req.u.note_put.session_id = spec->session_id;
    req.u.note_put.epoch = p->info.epoch;
    req.u.note_put.envelope = (bn_bin){env, (uint32_t)envlen};
    rc = bnc__write(c, p, &req, &req.u.note_put.entry, BN_MSG_NOTE_ACK, &rep);
    if (rc != 0)
        goto cleanup;
    if (note_id != NULL)
        *note_id = ad.note_id;
    if (revision != NULL)
        *revision = ad.revision;
cleanup:
    bn_msg_free(&rep);
    free(env);
    return rc;
}

/* meta_from copies a note_meta and names its author from the members. */
static void meta_from(bnc_note_meta *m, const struct bn_note_meta *i,
                      const bnc_pair *p)
{
    const bnc_member *a;

    bnc__project_note_meta(m, i);
    a = p != NULL ? bnc_pair_member(p, i->author_id) : NULL;
    if (a != NULL)
        snprintf(m->author_name, sizeof m->author_name, "%s", a->name);
}

/* take_notes copies a page of notes, each checked against the log; ctx is
 * a bnc__list_ctx. */
static int take_notes(const bn_msg *rep, const void *ctx, void **arr, size_t *n,
                      uint64_t *last, int *more)
{
    const struct bnc__list_ctx *lc = ctx;
    const bn_notes *r = &rep->u.notes;
    for (uint32_t i = 0; i < r->items.len; i++) {
        bnc_note_meta m;
        int rc = bnc__check_note(lc->c, lc->p, &r->items.v[i], NULL, 1);
        if (rc != 0)
            return rc;
        meta_from(&m, &r->items.v[i], lc->p);
        rc = bnc__append(arr, n, sizeof m, &m);
        if (rc != 0)
            return rc;
        rc = bnc__page_next(last, m.note_id);
        if (rc != 0)
            return rc;
    }
    *more = r->more;
    return 0;
}

int bnc_note_list(bnc_client *c, const bnc_pair *p, bnc_note_meta **items,
                  size_t *n)
{
    struct bnc__list_ctx lc = {c, p};
    bn_msg req;
    int rc;

    c->tamper[0] = '\0';
    bn_msg_init(&req, BN_MSG_NOTE_LIST, 0);
    req.u.note_list.pair_id = p->info.id;
    rc = bnc__list_all(c, &req, &req.u.note_list.after, BN_MSG_NOTES,
                       take_notes, &lc, (void **)items, n, NULL);
    if (rc != 0)
        return rc;
    /* Every note the log holds must be listed. */
    rc = bnc__check_listed(c, p, BN_MSG_NOTE_PUT, *items, *n, sizeof **items,
                           offsetof(bnc_note_meta, note_id));
    if (rc != 0) {
        free(*items);
        *items = NULL;
        *n = 0;
    }
    return rc;
}

int bnc_note_get(bnc_client *c, const bnc_pair *p, uint64_t note_id,
                 uint32_t revision, bnc_note_meta *meta, uint8_t **body,
                 size_t *len)
{
    const struct bn_note_meta *m;
    const bnc_member *author;
    const uint8_t *key;
    bn_note_ad ad;
    bn_msg req, rep = {0};
    int rc;

    *body = NULL;
    *len = 0;
    c->tamper[0] = '\0';
    bn_msg_init(&req, BN_MSG_NOTE_GET, 0);
    req.u.note_get.pair_id = p->info.id;
    req.u.note_get.note_id = note_id;
    req.u.note_get.revision = revision;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0)
        rc = bnc__expect(&rep, BN_MSG_NOTE);
    if (rc != 0)
        goto cleanup;
    m = &rep.u.note.meta;
    if (m->note_id != note_id || (revision != 0 && m->revision != revision)) {
        rc = BN_EPROTO;
        goto cleanup;
    }
    /* The revision the log says, as its author logged it, before any key
     * touches it. */
    rc = bnc__check_note(c, p, m, &rep.u.note.envelope, revision == 0);
    if (rc != 0)
        goto cleanup;
    author = bnc_pair_member(p, m->author_id);
    if (author == NULL) {
        rc = BN_ESIG; /* no key to check the author's signature with */
        goto cleanup;
    }
    rc = note_key(c, p, m->is_private, m->side_only, m->author_id, m->epoch,
                  &key);
    if (rc != 0)
        goto cleanup;
    ad.pair_id = p->info.id;
    ad.note_id = m->note_id;
    ad.revision = m->revision;
    ad.author_id = m->author_id;
    ad.kind = m->kind;
    ad.is_private = m->is_private ? 1 : m->side_only ? AD_SIDE : 0;
    ad.session_id = m->session_id;
    rc = bn_envelope_open(body, len, key, &ad, rep.u.note.envelope.ptr,
                          rep.u.note.envelope.len, author->sign_pk);
    if (rc != 0) {
        *body = NULL;
        *len = 0;
        goto cleanup;
    }
    if (meta != NULL)
        meta_from(meta, m, p);
cleanup:
    bn_msg_free(&rep);
    return rc;
}

/* note_logged is the signed log entry of a note's revision, the first
 * that names it as bnc__check_note takes it, or NULL (a legacy log). */
static const bn_log_entry *note_logged(const bnc_pair *p, uint64_t note_id,
                                       uint32_t revision)
{
    for (size_t i = 0; i < p->nlog; i++) {
        const bn_log_entry *x = &p->log[i];
        if (x->version == BN_LOG_VERSION && x->op == BN_MSG_NOTE_PUT &&
            x->item == note_id && x->sub == revision)
            return x;
    }
    return NULL;
}

void bnc_note_origin_of(const bnc_pair *p, const bnc_note_meta *m,
                        bnc_note_origin *o)
{
    const bn_log_entry *e;
    const bnc_member *a;

    memset(o, 0, sizeof *o);
    e = note_logged(p, m->note_id, m->revision);
    if (e != NULL && e->author_id == m->author_id)
        o->written = e->time;
    if (m->revision <= 1)
        return;
    o->edited_from = m->revision - 1;
    e = note_logged(p, m->note_id, o->edited_from);
    if (e == NULL)
        return;
    o->edited_from_author_id = e->author_id;
    a = bnc_pair_member(p, e->author_id);
    if (a != NULL)
        snprintf(o->edited_from_author, sizeof o->edited_from_author, "%s",
                 a->name);
}

int bnc_note_history(bnc_client *c, const bnc_pair *p, uint64_t note_id,
                     bnc_note_meta **items, size_t *n, bnc_note_rev_fn fn,
                     void *arg)
{
    bnc_note_meta latest, *v = NULL;
    uint8_t *body = NULL;
    size_t len = 0, k = 0;
    char id[17];
    int rc;

    *items = NULL;
    *n = 0;
    /* The latest revision, checked as the latest the log holds: the walk
     * then knows how far to go. */
    rc = bnc_note_get(c, p, note_id, 0, &latest, &body, &len);
    bnc_secret_free(body, len);
    body = NULL;
    if (rc != 0)
        return rc;
    snprintf(id, sizeof id, "%016" PRIx64, note_id);
    /* Each revision was logged: the log bounds the walk. */
    if (latest.revision > p->nlog)
        return bnc__tamper(c, BN_ETAMPER,
                           "note %s: revision %" PRIu32
                           " is more than the pair's log holds: refused",
                           id, latest.revision);
    v = calloc(latest.revision, sizeof *v);
    if (v == NULL)
        return BN_ENOMEM;
    for (uint32_t r = 1; r <= latest.revision; r++) {
        const bn_log_entry *e;
        len = 0;
        rc = bnc_note_get(c, p, note_id, r, &v[k], &body, &len);
        /* A revision its author erased (erase --mine) is gone by right. */
        e = rc == BN_ENOTFOUND ? note_logged(p, note_id, r) : NULL;
        if (e != NULL && bnc__erased_by_author(p, e)) {
            rc = 0;
            continue;
        }
        if (rc == BN_ENOTFOUND)
            rc = bnc__tamper(c, BN_EWITHHELD,
                             "note %s: revision %" PRIu32
                             " comes before revision %" PRIu32
                             ", the latest, but the server does not serve "
                             "it (withheld)",
                             id, r, latest.revision);
        if (rc == 0 && fn != NULL)
            rc = fn(arg, &v[k], body, len);
        k += rc == 0;
        bnc_secret_free(body, len);
        body = NULL;
        if (rc != 0)
            break;
    }
    if (rc != 0) {
        free(v);
        return rc;
    }
    *items = v;
    *n = k;
    return 0;
}

int bnc_note_resolve(const bnc_note_meta *items, size_t n, const char *prefix,
                     uint64_t *note_id)
{
    char want[17], hex[17];
    size_t plen = prefix != NULL ? strlen(prefix) : 0;
    uint64_t found = 0;
    int matches = 0;

    if (plen == 0 || plen > 16)
        return BN_EINVAL;
    for (size_t i = 0; i < plen; i++) {
        if (!isxdigit((unsigned char)prefix[i]))
            return BN_EINVAL;
        want[i] = (char)tolower((unsigned char)prefix[i]);
    }
    want[plen] = '\0';
    for (size_t i = 0; i < n; i++) {
        snprintf(hex, sizeof hex, "%016" PRIx64, items[i].note_id);
        if (strncmp(hex, want, plen) != 0)
            continue;
        /* A list may hold the same note more than once (revisions). */
        if (matches > 0 && items[i].note_id == found)
            continue;
        found = items[i].note_id;
        matches++;
    }
    if (matches == 0)
        return BN_ENOTFOUND;
    if (matches > 1)
        return BNC_EAMBIGUOUS;
    *note_id = found;
    return 0;
}
