/* test_srv_doc: documents on the server (DESIGN.md, "Documents"): chunked
 * upload, order, retries, invisibility until complete, restart, the size
 * limit, paging by bytes and the deletion of abandoned uploads. */
#include "test_srv_world.h"
#include "test_list.h"

#include "bnd_handlers.h"

/* ---- a document as a client makes it ---------------------------------------
 */

typedef struct tdoc {
    uint64_t id;
    uint8_t key[32];
    uint8_t header[BN_DOC_STREAM_HEADER_BYTES];
    bn_doc_stream st;
    uint8_t *key_env, *hdr_env;
    size_t key_len, hdr_len;
} tdoc;

/* Seals pt (ptlen bytes) as an envelope of the pair's epoch 1. */
static uint8_t *seal_small(tclient *c, const uint8_t key[32], uint64_t doc,
                           uint8_t kind, const uint8_t *pt, size_t ptlen,
                           size_t *len)
{
    bn_note_ad ad = {W.pair_a, doc, 1, c->account, kind, 0, 0};
    uint8_t *env = NULL;
    assert_int_equal(
        bn_envelope_seal(&env, len, key, 1, &ad, pt, ptlen, c->id->sign_sk), 0);
    return env;
}

/* Makes a document's keys and envelopes; pad > 0 makes both envelopes
 * about that big (the server cannot tell). */
static void doc_init(tdoc *d, tclient *c, size_t pad)
{
    uint8_t hdr[BN_DOC_NAME_MAX + 9] = "notes.pdf";
    static uint8_t big[4096];
    memset(d, 0, sizeof *d);
    d->id = bn_random_u64();
    bn_doc_key_generate(d->key);
    assert_int_equal(bn_doc_push_init(&d->st, d->header, d->key), 0);
    d->key_env = seal_small(c, W.pair_key, d->id, BN_AD_KIND_DOC_KEY,
                            pad ? big : d->key, pad ? pad : 32, &d->key_len);
    d->hdr_env = seal_small(c, d->key, d->id, BN_AD_KIND_DOC_HEADER,
                            pad ? big : hdr, pad ? pad : 18, &d->hdr_len);
}

static void doc_free(tdoc *d)
{
    free(d->key_env);
    free(d->hdr_env);
    bn_doc_stream_wipe(&d->st);
}

static int doc_begin(tclient *c, tdoc *d)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_DOC_BEGIN, 0);
    m.u.doc_begin.pair_id = W.pair_a;
    m.u.doc_begin.doc_id = d->id;
    m.u.doc_begin.epoch = 1;
    m.u.doc_begin.key_env = (bn_bin){d->key_env, (uint32_t)d->key_len};
    m.u.doc_begin.header_env = (bn_bin){d->hdr_env, (uint32_t)d->hdr_len};
    memcpy(m.u.doc_begin.stream_header, d->header, sizeof d->header);
    return call(c, &m);
}

/* Encrypts the next plaintext chunk (len bytes of byte fill) into out. */
static uint32_t doc_next(tdoc *d, uint8_t *out, size_t len, uint8_t fill,
                         int final)
{
    static uint8_t pt[BN_DOC_CHUNK];
    memset(pt, fill, len);
    assert_int_equal(bn_doc_push(&d->st, out, d->id, pt, len, final), 0);
    return (uint32_t)(len + BN_DOC_CHUNK_OVERHEAD);
}

/* Sends chunk index: the final one signed for the log. */
static int doc_chunk(tclient *c, tdoc *d, uint32_t index, const uint8_t *data,
                     uint32_t len, int final)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_DOC_CHUNK, 0);
    m.u.doc_chunk.pair_id = W.pair_a;
    m.u.doc_chunk.doc_id = d->id;
    m.u.doc_chunk.index = index;
    m.u.doc_chunk.data = (bn_bin){data, len};
    m.u.doc_chunk.final = (uint8_t) final;
    return final ? call_logged(c, &m, W.pair_a) : call(c, &m);
}

/* Uploads a whole small document of n chunks (the last one 100 bytes). */
static void doc_upload(tclient *c, tdoc *d, uint32_t n)
{
    static uint8_t buf[BN_DOC_CHUNK_MAX];
    assert_int_equal(doc_begin(c, d), 0);
    for (uint32_t i = 0; i < n; i++) {
        int fin = i + 1 == n;
        uint32_t len =
            doc_next(d, buf, fin ? 100 : BN_DOC_CHUNK, (uint8_t)i, fin);
        assert_int_equal(doc_chunk(c, d, i, buf, len, fin), 0);
    }
}

static int doc_read(tclient *c, uint64_t doc, uint32_t index)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_DOC_READ, 0);
    m.u.doc_read.pair_id = W.pair_a;
    m.u.doc_read.doc_id = doc;
    m.u.doc_read.index = index;
    return call(c, &m);
}

/* Lists the pair's documents from after: 1 if doc is on that page. */
static int listed(tclient *c, uint64_t doc)
{
    bn_msg m;
    bn_msg_init(&m, BN_MSG_DOC_LIST, 0);
    m.u.doc_list.pair_id = W.pair_a;
    m.u.doc_list.after = doc - 1;
    assert_int_equal(call(c, &m), 0);
    const bn_docs *l = &c->rep.u.docs;
    return l->items.len > 0 && l->items.v[0].doc_id == doc;
}

static int local_setup(void **state)
{
    int rc = setup(state);
    if (rc == 0)
        activate(W.pair_a, &W.mentor, &W.mentee);
    return rc;
}

/* ---- tests -----------------------------------------------------------------
 */

/* Chunks go up one by one and come back byte for byte. */
static void test_upload_read(void **state)
{
    (void)state;
    static uint8_t sent[3][BN_DOC_CHUNK_MAX];
    uint32_t lens[3];
    uint64_t seq0 = 0, seq1 = 0;
    uint8_t head[32];
    tdoc d;

    doc_init(&d, &W.mentee, 0);
    assert_int_equal(log_head(&W.mentee, W.pair_a, &seq0, head), 0);
    assert_int_equal(doc_begin(&W.mentee, &d), 0);
    assert_int_equal(W.mentee.rep.type, BN_MSG_DOC_STATUS);
    assert_int_equal(W.mentee.rep.u.doc_status.chunks, 0);
    for (uint32_t i = 0; i < 3; i++) {
        lens[i] = doc_next(&d, sent[i], i == 2 ? 100 : BN_DOC_CHUNK,
                           (uint8_t)(0x41 + i), i == 2);
        assert_int_equal(doc_chunk(&W.mentee, &d, i, sent[i], lens[i], i == 2),
                         0);
        assert_int_equal(W.mentee.rep.u.doc_status.chunks, i + 1);
        assert_int_equal(W.mentee.rep.u.doc_status.complete, i == 2);
    }
    /* only the final chunk is logged */
    assert_int_equal(log_head(&W.mentee, W.pair_a, &seq1, head), 0);
    assert_int_equal(seq1, seq0 + 1);
    assert_true(listed(&W.mentor, d.id));
    const bn_doc_meta *dm = &W.mentor.rep.u.docs.items.v[0];
    assert_int_equal(dm->chunks, 3);
    assert_true(dm->complete);
    assert_int_equal(dm->author_id, W.mentee.account);
    assert_int_equal(dm->key_env.len, d.key_len);
    assert_memory_equal(dm->key_env.ptr, d.key_env, d.key_len);
    assert_memory_equal(dm->stream_header, d.header, sizeof d.header);
    /* the final chunk's hash, what the log entry's body hash covers */
    uint8_t fh[32];
    bn_hash(fh, sent[2], lens[2]);
    assert_memory_equal(dm->final_hash, fh, 32);
    /* the other member reads it back, byte for byte, and it opens */
    bn_doc_stream in;
    static uint8_t pt[BN_DOC_CHUNK];
    assert_int_equal(bn_doc_pull_init(&in, d.header, d.key), 0);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(doc_read(&W.mentor, d.id, i), 0);
        const bn_doc_data *dd = &W.mentor.rep.u.doc_data;
        assert_int_equal(dd->index, i);
        assert_int_equal(dd->final, i == 2);
        assert_int_equal(dd->data.len, lens[i]);
        assert_memory_equal(dd->data.ptr, sent[i], lens[i]);
        size_t outlen;
        int fin;
        assert_int_equal(bn_doc_pull(&in, pt, &outlen, d.id, dd->data.ptr,
                                     dd->data.len, &fin),
                         0);
        assert_int_equal(fin, i == 2);
    }
    assert_int_equal(bn_doc_pull_finish(&in), 0);
    assert_int_equal(doc_read(&W.mentor, d.id, 3), BN_ENOTFOUND);
    /* nobody outside the pair, no administrator */
    assert_int_equal(doc_read(&W.mentor2, d.id, 0), BN_ENOTFOUND);
    assert_int_equal(doc_read(&W.admin, d.id, 0), BN_EDENIED);
    /* a complete document cannot begin again; its final chunk again is a
     * retry that logs nothing */
    assert_int_equal(doc_begin(&W.mentee, &d), BN_EEXIST);
    assert_int_equal(doc_chunk(&W.mentee, &d, 2, sent[2], lens[2], 1), 0);
    assert_true(W.mentee.rep.u.doc_status.complete);
    assert_int_equal(log_head(&W.mentee, W.pair_a, &seq0, head), 0);
    assert_int_equal(seq0, seq1);
    /* ... but not with its final flag dropped, nor past the end */
    assert_int_equal(doc_chunk(&W.mentee, &d, 2, sent[2], lens[2], 0),
                     BN_ECONFLICT);
    assert_int_equal(doc_chunk(&W.mentee, &d, 3, sent[2], lens[2], 0),
                     BN_ECONFLICT);
    doc_free(&d);
}

/* index must be the count received; a retry is a success; an entry goes
 * on the final chunk only. */
static void test_chunk_rules(void **state)
{
    (void)state;
    static uint8_t c0[BN_DOC_CHUNK_MAX], c1[BN_DOC_CHUNK_MAX];
    tdoc d;

    doc_init(&d, &W.mentor, 0);
    assert_int_equal(doc_begin(&W.mentor, &d), 0);
    uint32_t l0 = doc_next(&d, c0, BN_DOC_CHUNK, 1, 0);
    uint32_t l1 = doc_next(&d, c1, 10, 2, 1);
    /* out of order */
    assert_int_equal(doc_chunk(&W.mentor, &d, 1, c1, l1, 1), BN_ECONFLICT);
    assert_int_equal(doc_chunk(&W.mentor, &d, 0, c0, l0, 0), 0);
    /* a retry of chunk 0 */
    assert_int_equal(doc_chunk(&W.mentor, &d, 0, c0, l0, 0), 0);
    assert_int_equal(W.mentor.rep.u.doc_status.chunks, 1);
    /* chunk 0 with other bytes */
    c0[5] ^= 1;
    assert_int_equal(doc_chunk(&W.mentor, &d, 0, c0, l0, 0), BN_ECONFLICT);
    c0[5] ^= 1;
    /* too short to be a chunk */
    assert_int_equal(doc_chunk(&W.mentor, &d, 1, c1, 5, 0), BN_EINVAL);
    /* a non-final chunk with an entry; a final one without */
    bn_msg m;
    bn_msg_init(&m, BN_MSG_DOC_CHUNK, 0);
    m.u.doc_chunk.pair_id = W.pair_a;
    m.u.doc_chunk.doc_id = d.id;
    m.u.doc_chunk.index = 1;
    m.u.doc_chunk.data = (bn_bin){c1, l1};
    m.u.doc_chunk.final = 1; /* an entry made for the final chunk ... */
    log_sign(&W.mentor, &m, W.pair_a);
    m.u.doc_chunk.final = 0; /* ... sent on a chunk that is not */
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    m.u.doc_chunk.final = 1;
    m.u.doc_chunk.entry = (bn_bin){NULL, 0};
    assert_int_equal(call(&W.mentor, &m), BN_EINVAL);
    /* the other member cannot add to it */
    assert_int_equal(doc_chunk(&W.mentee, &d, 1, c1, l1, 1), BN_ENOTFOUND);
    assert_int_equal(call_logged(&W.mentor, &m, W.pair_a), 0);
    assert_true(W.mentor.rep.u.doc_status.complete);
    doc_free(&d);
}

/* An upload in progress is listed to nobody and read by nobody; its
 * author may start it over, the other member may not take its id. */
static void test_incomplete(void **state)
{
    (void)state;
    static uint8_t buf[BN_DOC_CHUNK_MAX];
    tdoc d, d2;

    doc_init(&d, &W.mentee, 0);
    assert_int_equal(doc_begin(&W.mentee, &d), 0);
    uint32_t len = doc_next(&d, buf, BN_DOC_CHUNK, 7, 0);
    assert_int_equal(doc_chunk(&W.mentee, &d, 0, buf, len, 0), 0);
    assert_int_equal(doc_chunk(&W.mentee, &d, 1, buf, len, 0), 0);
    assert_false(listed(&W.mentee, d.id));
    assert_false(listed(&W.mentor, d.id));
    assert_int_equal(doc_read(&W.mentee, d.id, 0), BN_ENOTFOUND);
    assert_int_equal(doc_read(&W.mentor, d.id, 0), BN_ENOTFOUND);
    doc_init(&d2, &W.mentor, 0);
    d2.id = d.id;
    assert_int_equal(doc_begin(&W.mentor, &d2), BN_EEXIST);
    doc_free(&d2);
    /* the author starts over: its chunks go */
    doc_free(&d);
    uint64_t id = d.id;
    doc_init(&d, &W.mentee, 0);
    d.id = id;
    assert_int_equal(doc_begin(&W.mentee, &d), 0);
    assert_int_equal(W.mentee.rep.u.doc_status.chunks, 0);
    len = doc_next(&d, buf, 3, 9, 1);
    assert_int_equal(doc_chunk(&W.mentee, &d, 1, buf, len, 1), BN_ECONFLICT);
    assert_int_equal(doc_chunk(&W.mentee, &d, 0, buf, len, 1), 0);
    assert_int_equal(W.mentee.rep.u.doc_status.chunks, 1);
    assert_true(listed(&W.mentor, d.id));
    assert_int_equal(doc_read(&W.mentor, d.id, 0), 0);
    assert_true(W.mentor.rep.u.doc_data.final);
    assert_int_equal(doc_read(&W.mentor, d.id, 1), BN_ENOTFOUND);
    doc_free(&d);
}

/* max_doc_mib counts the document's plaintext, not the chunks' overhead:
 * a document of exactly the limit goes up, one byte more is BN_ETOOBIG.
 * (The refused upload stays incomplete, with 2 chunks, for test_gc.) */
static void test_size_limit(void **state)
{
    (void)state;
    static uint8_t buf[BN_DOC_CHUNK_MAX];
    uint64_t saved = W.srv->cfg.max_doc_bytes;
    tdoc d;
    uint32_t len;

    W.srv->cfg.max_doc_bytes = 2 * (uint64_t)BN_DOC_CHUNK;
    doc_init(&d, &W.mentor, 0);
    assert_int_equal(doc_begin(&W.mentor, &d), 0);
    for (uint32_t i = 0; i < 2; i++) {
        len = doc_next(&d, buf, BN_DOC_CHUNK, 1, i == 1);
        assert_int_equal(doc_chunk(&W.mentor, &d, i, buf, len, i == 1), 0);
    }
    assert_true(W.mentor.rep.u.doc_status.complete);
    doc_free(&d);

    doc_init(&d, &W.mentor, 0);
    assert_int_equal(doc_begin(&W.mentor, &d), 0);
    len = doc_next(&d, buf, BN_DOC_CHUNK, 1, 0);
    assert_int_equal(doc_chunk(&W.mentor, &d, 0, buf, len, 0), 0);
    assert_int_equal(doc_chunk(&W.mentor, &d, 1, buf, len, 0), 0);
    assert_int_equal(doc_chunk(&W.mentor, &d, 2, buf, len, 0), BN_ETOOBIG);
    len = doc_next(&d, buf, 1, 2, 1);
    assert_int_equal(doc_chunk(&W.mentor, &d, 2, buf, len, 1), BN_ETOOBIG);
    W.srv->cfg.max_doc_bytes = saved;
    doc_free(&d);
}

static void test_list_bytes(void **state)
{
    (void)state;
    enum { N = 160 };
    static uint8_t buf[64];
    uint64_t ids[N];
    tdoc d;

    for (int i = 0; i < N; i++) {
        doc_init(&d, &W.mentor, 3500); /* two ~3.6 KiB envelopes each */
        ids[i] = d.id;
        assert_int_equal(doc_begin(&W.mentor, &d), 0);
        uint32_t len = doc_next(&d, buf, 1, 1, 1);
        assert_int_equal(doc_chunk(&W.mentor, &d, 0, buf, len, 1), 0);
        doc_free(&d);
    }
    uint64_t after = 0;
    unsigned pages = 0, seen = 0;
    bn_msg m;
    for (;;) {
        bn_msg_init(&m, BN_MSG_DOC_LIST, 0);
        m.u.doc_list.pair_id = W.pair_a;
        m.u.doc_list.after = after;
        assert_int_equal(call(&W.mentee, &m), 0); /* never BN_ETOOBIG */
        const bn_docs *l = &W.mentee.rep.u.docs;
        pages++;
        for (uint32_t i = 0; i < l->items.len; i++) {
            for (int j = 0; j < N; j++)
                seen += l->items.v[i].doc_id == ids[j];
            after = l->items.v[i].doc_id;
        }
        if (!l->more)
            break;
        assert_true(l->items.len > 0 && l->items.len < BND_PAGE);
    }
    assert_int_equal(seen, N);
    assert_true(pages >= 2);
}

struct gc_run {
    bnd_store *st;
    int64_t now;
    uint64_t budget;
    int rc;
};

static int gc_write(MDB_txn *txn, void *arg)
{
    struct gc_run *g = arg;
    g->rc = bnd_doc_gc(g->st, txn, g->now, g->budget);
    return g->rc < 0 ? g->rc : 0;
}

/* Counts a document's chunk records in the store. */
static unsigned chunk_records(uint64_t doc)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    bnd_key k = bnd_key_prefix(bnd_key_doc_chunks(W.pair_a, doc, 0), 2);
    unsigned n = 0;
    MDB_val key = bnd_key_val(&k), v;
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(
        mdb_cursor_open(txn, bnd_store_dbi(W.srv->store, BND_DB_DOC_CHUNKS),
                        &cur),
        0);
    int rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE);
    while (rc == 0 && key.mv_size == BND_KEY_WIDTH(doc_chunks) &&
           bnd_key_has_prefix(&key, &k)) {
        n++;
        rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    bnd_store_read_end(W.srv->store, txn);
    return n;
}

/* Uploads idle for more than a day go, chunks first, within a budget;
 * complete documents and recent uploads stay. */
static void test_gc(void **state)
{
    (void)state;
    static uint8_t buf[BN_DOC_CHUNK_MAX];
    struct gc_run g = {W.srv->store, bn_now(), 0, 0};
    tdoc idle, done;

    doc_init(&idle, &W.mentor, 0);
    assert_int_equal(doc_begin(&W.mentor, &idle), 0);
    uint32_t len = doc_next(&idle, buf, 100, 3, 0);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(doc_chunk(&W.mentor, &idle, i, buf, len, 0), 0);
    doc_init(&done, &W.mentor, 0);
    doc_upload(&W.mentor, &done, 2);
    assert_int_equal(chunk_records(idle.id), 3);
    /* not idle yet */
    assert_int_equal(bnd_store_write(W.srv->store, gc_write, &g), 0);
    assert_int_equal(g.rc, 0);
    assert_int_equal(chunk_records(idle.id), 3);
    /* a day and more later, two chunks at a time */
    g.now += BND_DOC_IDLE_S + 60;
    g.budget = 2;
    assert_int_equal(bnd_store_write(W.srv->store, gc_write, &g), 0);
    assert_int_equal(g.rc, 1); /* 3 chunks here, 2 from test_size_limit */
    unsigned passes = 1;
    while (g.rc == 1) {
        assert_int_equal(bnd_store_write(W.srv->store, gc_write, &g), 0);
        passes++;
    }
    assert_int_equal(passes, 3);
    assert_int_equal(chunk_records(idle.id), 0);
    assert_int_equal(chunk_records(done.id), 2);
    /* the id is free again: the other member may use it */
    tdoc again;
    doc_init(&again, &W.mentee, 0);
    again.id = idle.id;
    assert_int_equal(doc_begin(&W.mentee, &again), 0);
    assert_true(listed(&W.mentee, done.id));
    /* the daemon's own pass ran at open */
    assert_true(W.srv->gc.passes >= 1);
    doc_free(&again);
    doc_free(&idle);
    doc_free(&done);
}

BN_UNIT_GROUP(srv_doc);
