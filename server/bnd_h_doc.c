/* bnd_h_doc.c: DOC_BEGIN, DOC_CHUNK, DOC_LIST, DOC_READ, and the deletion
 * of abandoned uploads (DESIGN.md, "Documents").
 *
 * A document is one rec_doc (its key and header envelopes, the stream
 * header, the upload's progress) and one rec_doc_chunk per secretstream
 * chunk, keyed pair || doc || index: a chunk is written and read on its
 * own, so no request ever holds more than one chunk in memory. Only the
 * author uploads; the final chunk carries the log entry and makes the
 * document complete. Until then nobody lists or reads it. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bnd_deliver.h"
#include "bnd_handlers.h"
#include "bnd_quota.h"

static int get_doc(bnd_ctx *cx, uint64_t pair, uint64_t id, bn_rec_doc *d)
{
    if (id == 0)
        return BN_ENOTFOUND;
    return bnd_rec_get(cx->st, cx->txn, bnd_key_docs(pair, id), d, &cx->arena);
}

static int put_doc(bnd_ctx *cx, const bn_rec_doc *d)
{
    return bnd_rec_put(cx->st, cx->txn, bnd_key_docs(d->pair_id, d->doc_id), d,
                       0);
}

/* Unmaps the pages of the database map that hold a value just copied out.
 * A chunk spans a run of LMDB overflow pages of its own; reading a
 * document maps every one of them into the daemon, whose resident size
 * then grows by the document's size (page cache, but resident all the
 * same) until the pages are reclaimed. MADV_DONTNEED on LMDB's shared
 * file mapping (read-only, or written through with MDB_WRITEMAP) only
 * drops our page-table entries: the page cache keeps the data and the next
 * access maps it again, so it is safe whoever reads the same pages, and a
 * failure changes nothing. */
static void unmap_value(const MDB_val *v)
{
    static uintptr_t page;
    if (page == 0) {
        long ps = sysconf(_SC_PAGESIZE);
        page = ps > 0 ? (uintptr_t)ps : 4096u;
    }
    uintptr_t lo = (uintptr_t)v->mv_data & ~(page - 1);
    uintptr_t hi =
        ((uintptr_t)v->mv_data + v->mv_size + page - 1) & ~(page - 1);
    if (v->mv_size >= page)
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* get_chunk decodes chunk index of d into c (its bytes copied into the
 * arena); a missing chunk of a document that counts it is BN_ECORRUPT.
 * With unmap (DOC_READ), the chunk's pages then leave the daemon's
 * resident set. */
static int get_chunk(bnd_ctx *cx, const bn_rec_doc *d, uint32_t index,
                     bn_rec_doc_chunk *c, int unmap)
{
    bnd_key k = bnd_key_doc_chunks(d->pair_id, d->doc_id, index);
    MDB_val v;
    int rc = bnd_raw_get(cx->st, cx->txn, k, &v);

    if (rc != 0)
        return rc == BN_ENOTFOUND ? BN_ECORRUPT : rc;
    rc = bnd_rec_decode(&v, &bn_desc_rec_doc_chunk, c, &cx->arena);
    if (unmap)
        unmap_value(&v);
    return rc;
}

/* Deletes every chunk of a document (an upload that starts over). */
static int drop_chunks(bnd_ctx *cx, uint64_t pair, uint64_t doc)
{
    bnd_key k = bnd_key_prefix(bnd_key_doc_chunks(pair, doc, 0), 2);
    return bnd_del_prefix(cx->st, cx->txn, k, 0, 0, NULL);
}

static void status(bnd_ctx *cx, const bn_rec_doc *d)
{
    cx->rep->u.doc_status.doc_id = d->doc_id;
    cx->rep->u.doc_status.chunks = d->chunks;
    cx->rep->u.doc_status.complete = d->complete;
}

/* DOC_BEGIN: a complete document with that id is BN_EEXIST; an incomplete
 * one of the caller starts over (its chunks go), of another member is
 * BN_EEXIST too. Not logged: the final chunk is. */
int bnd_h_doc_begin(bnd_ctx *cx, const bn_msg *req)
{
    const bn_doc_begin *r = &req->u.doc_begin;
    bn_rec_member me;
    bn_rec_pair p;
    bn_rec_doc d;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, &me);
    if (rc != 0)
        return rc;
    if (r->doc_id == 0)
        return BN_EINVAL;
    rc = bnd_envelope_ok(r->key_env, r->epoch);
    if (rc == 0)
        rc = bnd_envelope_ok(r->header_env, r->epoch);
    if (rc == 0)
        rc = bnd_holds_epoch(cx, &p, &me, r->epoch);
    if (rc != 0)
        return rc;
    rc = get_doc(cx, p.id, r->doc_id, &d);
    if (rc == 0) {
        if (d.complete || d.author_id != cx->actor.account_id)
            return BN_EEXIST;
        rc = drop_chunks(cx, p.id, d.doc_id);
        if (rc == 0)
            rc = bnd_quota_release(cx->st, cx->txn, p.id, d.author_id,
                                   bnd_quota_doc_cost(&d));
    } else if (rc == BN_ENOTFOUND) {
        rc = 0;
    }
    if (rc != 0)
        return rc;
    rc = bnd_quota_charge(cx, p.id,
                          (uint64_t)r->key_env.len + r->header_env.len);
    if (rc != 0)
        return rc;
    memset(&d, 0, sizeof d);
    d.pair_id = p.id;
    d.doc_id = r->doc_id;
    d.author_id = cx->actor.account_id;
    d.epoch = r->epoch;
    d.key_env = r->key_env;
    d.header_env = r->header_env;
    memcpy(d.stream_header, r->stream_header, sizeof d.stream_header);
    d.created = cx->now;
    d.updated = cx->now;
    rc = put_doc(cx, &d);
    if (rc != 0)
        return rc;
    status(cx, &d);
    return 0;
}

/* mark_ok checks a chunk's mark (issue 14): only the final chunk marks
 * the document; a plain one has no date; the self-diagnosis has a day
 * binome knows, not after today (a day more for a member ahead of UTC). */
static int mark_ok(bnd_ctx *cx, const bn_doc_chunk *r)
{
    if (!r->final || r->kind == BN_DOC_PLAIN)
        return r->kind == BN_DOC_PLAIN && r->date == 0 ? 0 : BN_EINVAL;
    if (r->kind != BN_DOC_DIAGNOSIS)
        return BN_EINVAL;
    if (!bnd_date_ok(r->date))
        return BN_EDATE;
    if (r->date > cx->today + 1) {
        cx->errmsg = "a self-diagnosis cannot be dated in the future";
        return BN_EDATE;
    }
    return 0;
}

/* DOC_CHUNK: chunk `index` of the caller's upload. index must be the
 * number of chunks received; a chunk received already with the same bytes
 * (and the same final flag) is a retry; anything else is BN_ECONFLICT. The
 * final chunk carries the log entry; others carry none (BN_EINVAL). A
 * chunk that takes the document's plaintext over max_doc_mib is
 * BN_ETOOBIG. */
int bnd_h_doc_chunk(bnd_ctx *cx, const bn_msg *req)
{
    const bn_doc_chunk *r = &req->u.doc_chunk;
    uint64_t max = cx->srv->cfg.max_doc_bytes;
    bn_rec_doc_chunk c;
    bn_rec_pair p;
    bn_rec_doc d;
    int rc;

    rc = bnd_writable_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = get_doc(cx, p.id, r->doc_id, &d);
    if (rc != 0)
        return rc;
    if (d.author_id != cx->actor.account_id)
        return d.complete ? BN_ECONFLICT : BN_ENOTFOUND;
    if (r->index < d.chunks) {
        rc = get_chunk(cx, &d, r->index, &c, 0);
        if (rc != 0)
            return rc;
        int was_final = d.complete && r->index + 1 == d.chunks;
        if (!bnd_same_bin(c.data, r->data) || was_final != (r->final != 0))
            return BN_ECONFLICT;
        status(cx, &d);
        return 0;
    }
    if (d.complete || r->index != d.chunks || d.chunks == UINT32_MAX)
        return BN_ECONFLICT;
    if (r->data.len < BN_DOC_CHUNK_OVERHEAD)
        return BN_EINVAL;
    if (!r->final && bnd_pairlog_entry(req).len != 0)
        return BN_EINVAL;
    rc = mark_ok(cx, r);
    if (rc != 0)
        return rc;
    /* The limit is the document's own size (max_doc_mib of plaintext): a
     * file of exactly the limit goes, whatever the chunks' overhead. */
    if (d.bytes < (uint64_t)d.chunks * BN_DOC_CHUNK_OVERHEAD)
        return BN_ECORRUPT;
    uint64_t plain = d.bytes - (uint64_t)d.chunks * BN_DOC_CHUNK_OVERHEAD;
    if (plain + (r->data.len - BN_DOC_CHUNK_OVERHEAD) > max)
        return BN_ETOOBIG;
    if (r->final) {
        rc = bnd_pairlog_append(cx, &p, req, NULL);
        if (rc != 0) /* landed: it would be complete already */
            return rc == BND_LANDED ? BN_ECONFLICT : rc;
    }
    rc = bnd_quota_charge(cx, p.id, r->data.len);
    if (rc != 0)
        return rc;
    memset(&c, 0, sizeof c);
    c.data = r->data;
    rc = bnd_rec_put(cx->st, cx->txn,
                     bnd_key_doc_chunks(p.id, d.doc_id, r->index), &c, 0);
    if (rc != 0)
        return rc;
    d.chunks++;
    d.bytes += r->data.len;
    d.complete = r->final ? 1 : 0;
    d.updated = cx->now;
    if (r->final) /* what a member checks the last chunk against */
        bn_hash(d.final_hash, r->data.ptr, r->data.len);
    rc = put_doc(cx, &d);
    if (rc == 0 && r->final)
        rc = bnd_doc_mark_set(cx, p.id, d.doc_id, r->kind, r->date);
    if (rc != 0)
        return rc;
    status(cx, &d);
    return 0;
}

static int doc_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    bn_rec_doc d;
    (void)k;
    int rc = bnd_rec_decode(v, &bn_desc_rec_doc, &d, &cx->arena);
    if (rc != 0)
        return rc;
    if (!d.complete)
        return 0;
    bn_doc_meta *o =
        bnd_list_take(arg, BND_ITEM_FIXED + d.key_env.len + d.header_env.len);
    if (o == NULL)
        return 1;
    bnd_project_doc_meta(&d, o);
    return bnd_doc_mark(cx, d.pair_id, d.doc_id, &o->kind, &o->date);
}

/* DOC_LIST: the pair's complete documents by id, after `after`; a page
 * stops at BND_PAGE documents or BND_REPLY_BYTES. */
int bnd_h_doc_list(bnd_ctx *cx, const bn_msg *req)
{
    const bn_doc_list *r = &req->u.doc_list;
    bnd_list l = {NULL, sizeof(bn_doc_meta), {0, BND_PAGE, 0}, NULL};
    int rc;

    rc = bnd_list_pair(cx, &l, r->pair_id, r->after,
                       bnd_key_docs(r->pair_id, r->after + 1), doc_item);
    if (rc < 0)
        return rc;
    BND_LIST_REPLY(cx->rep->u.docs, l, rc);
    return 0;
}

/* DOC_READ: one chunk of a complete document; an incomplete document and
 * an index past the end are BN_ENOTFOUND. */
int bnd_h_doc_read(bnd_ctx *cx, const bn_msg *req)
{
    const bn_doc_read *r = &req->u.doc_read;
    bn_rec_doc_chunk c;
    bn_rec_pair p;
    bn_rec_doc d;
    int rc;

    rc = bnd_member_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    rc = get_doc(cx, p.id, r->doc_id, &d);
    if (rc != 0)
        return rc;
    if (!d.complete || r->index >= d.chunks)
        return BN_ENOTFOUND;
    rc = get_chunk(cx, &d, r->index, &c, 1);
    if (rc != 0)
        return rc;
    cx->rep->u.doc_data.index = r->index;
    cx->rep->u.doc_data.data = c.data;
    cx->rep->u.doc_data.final = r->index + 1 == d.chunks;
    return 0;
}

/* ---- abandoned uploads ----------------------------------------------------
 */

int bnd_doc_gc(bnd_store *st, MDB_txn *txn, int64_t now, uint64_t budget)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    void *arena = NULL;
    uint64_t used = 0;
    int rc = bnd_cursor_open(st, txn, BND_DB_DOCS, &cur);

    if (rc != 0)
        return rc;
    rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        bn_rec_doc d;
        uint64_t n = 0;
        rc = bnd_rec_decode(&v, &bn_desc_rec_doc, &d, &arena);
        if (rc != 0)
            break;
        bn_arena_free(&arena);
        if (d.complete || d.updated > now - BND_DOC_IDLE_S) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        bnd_key pk =
            bnd_key_prefix(bnd_key_doc_chunks(d.pair_id, d.doc_id, 0), 2);
        rc = bnd_del_prefix(st, txn, pk, 0, budget ? budget - used : 0, &n);
        used += n;
        if (rc != 0)
            break; /* 1: out of budget, its chunks go next time */
        rc = bnd_quota_release(st, txn, d.pair_id, d.author_id,
                               bnd_quota_doc_cost(&d));
        if (rc != 0)
            break;
        rc = mdb_cursor_del(cur, 0);
        if (rc == 0)
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        if (rc == 0 && budget != 0 && used >= budget)
            rc = 1;
    }
    mdb_cursor_close(cur);
    bn_arena_free(&arena);
    if (rc == MDB_NOTFOUND || rc == 0)
        return 0;
    if (rc == 1 || rc < 0)
        return rc;
    return bnd_mdb_err(rc);
}
