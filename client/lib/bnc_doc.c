/*
 * bnc_doc.c: documents (DESIGN.md, "Documents"). Each document has its own
 * key, wrapped by the pair key; its name and size are sealed in a header;
 * its contents go through secretstream in 64 KiB chunks. Uploads keep
 * BNC_DOC_PUT_WINDOW requests in flight, downloads BNC_DOC_GET_WINDOW, and
 * match the replies by request id; neither holds more than a few chunks
 * in memory whatever the size.
 */
#include "binome.h"
#include "bn_text.h"
#include "bnc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER_MAX (BN_DOC_NAME_MAX + 1 + 8)

static void doc_ad(bn_note_ad *ad, uint64_t pair_id, uint64_t doc_id,
                   uint64_t author, uint8_t kind)
{
    memset(ad, 0, sizeof *ad);
    ad->pair_id = pair_id;
    ad->note_id = doc_id;
    ad->revision = 1;
    ad->author_id = author;
    ad->kind = kind;
}

/* ---- upload --------------------------------------------------------- */

/* The requests in flight: ids of chunks sent and not yet answered. */
typedef struct window {
    uint64_t ids[BNC_DOC_PUT_WINDOW];
    int n;
} window;

/* window_take waits for one reply to a chunk in flight and checks it. */
static int window_take(bnc_client *c, window *w, uint64_t doc_id)
{
    bn_msg rep = {0};
    int rc = bnc_recv(c->conn, &rep), i;

    /* A transport failure has no id: nothing in the window matches. */
    for (i = 0; i < w->n && w->ids[i] != rep.id; i++)
        ;
    if (i == w->n) {
        if (rc == 0)
            rc = BN_EPROTO;
    } else {
        w->ids[i] = w->ids[--w->n];
    }
    if (rc == 0 &&
        (rep.type != BN_MSG_DOC_STATUS || rep.u.doc_status.doc_id != doc_id))
        rc = BN_EPROTO;
    bn_msg_free(&rep);
    return rc;
}

/* window_drain takes every reply still due, after a failure. */
static void window_drain(bnc_client *c, window *w, uint64_t doc_id)
{
    while (w->n > 0) {
        int rc = window_take(c, w, doc_id);
        if (rc == BN_ECLOSED || rc == BN_EPROTO || rc == BN_EAUTH ||
            rc == BN_ETIMEDOUT)
            break;
    }
}

/* doc_begin seals the document key and header and sends DOC_BEGIN. */
static int doc_begin(bnc_client *c, const bnc_pair *p, uint64_t doc_id,
                     const uint8_t *dockey, const char *name, uint64_t size,
                     uint8_t stream_header[BN_DOC_STREAM_HEADER_BYTES])
{
    const uint8_t *pairkey;
    uint8_t *key_env = NULL, *hdr_env = NULL, *hdr = NULL;
    size_t key_len = 0, hdr_len = 0, nlen = strlen(name);
    bn_note_ad ad;
    bn_msg req, rep = {0};
    int rc;

    rc = bnc__content_key(p, p->info.epoch, &pairkey);
    if (rc != 0)
        return rc;
    hdr = sodium_malloc(HEADER_MAX);
    if (hdr == NULL)
        return BN_ENOMEM;
    memcpy(hdr, name, nlen);
    hdr[nlen] = 0;
    bn_put_be64(hdr + nlen + 1, size);
    doc_ad(&ad, p->info.id, doc_id, c->me.id, BN_AD_KIND_DOC_KEY);
    rc = bn_envelope_seal(&key_env, &key_len, pairkey, p->info.epoch, &ad,
                          dockey, BN_KEY_BYTES, c->profile->id->sign_sk);
    if (rc == 0) {
        doc_ad(&ad, p->info.id, doc_id, c->me.id, BN_AD_KIND_DOC_HEADER);
        rc = bn_envelope_seal(&hdr_env, &hdr_len, dockey, p->info.epoch, &ad,
                              hdr, nlen + 1 + 8, c->profile->id->sign_sk);
    }
    if (rc == 0 &&
        (key_len > BN_SMALL_ENVELOPE_MAX || hdr_len > BN_SMALL_ENVELOPE_MAX))
        rc = BN_ETOOLONG;
    if (rc != 0)
        goto cleanup;
    bn_msg_init(&req, BN_MSG_DOC_BEGIN, 0);
    req.u.doc_begin.pair_id = p->info.id;
    req.u.doc_begin.doc_id = doc_id;
    req.u.doc_begin.epoch = p->info.epoch;
    req.u.doc_begin.key_env = (bn_bin){key_env, (uint32_t)key_len};
    req.u.doc_begin.header_env = (bn_bin){hdr_env, (uint32_t)hdr_len};
    memcpy(req.u.doc_begin.stream_header, stream_header,
           BN_DOC_STREAM_HEADER_BYTES);
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0 &&
        (rep.type != BN_MSG_DOC_STATUS || rep.u.doc_status.doc_id != doc_id))
        rc = BN_EPROTO;
cleanup:
    bn_msg_free(&rep);
    sodium_memzero(hdr, HEADER_MAX);
    sodium_free(hdr);
    free(key_env);
    free(hdr_env);
    return rc;
}

_Static_assert((int)BNC_DOC_PLAIN == (int)BN_DOC_PLAIN &&
                   (int)BNC_DOC_DIAGNOSIS == (int)BN_DOC_DIAGNOSIS,
               "enum bnc_doc_kind is the wire's");

int bnc_doc_put(bnc_client *c, bnc_pair *p, int fd, const char *name,
                uint64_t size, uint64_t doc_id, bnc_progress_fn progress,
                void *pctx, uint64_t *out_id)
{
    return bnc_doc_put_marked(c, p, fd, name, size, doc_id, BNC_DOC_PLAIN, 0,
                              progress, pctx, out_id);
}

int bnc_doc_put_marked(bnc_client *c, bnc_pair *p, int fd, const char *name,
                       uint64_t size, uint64_t doc_id, uint8_t kind,
                       uint32_t date, bnc_progress_fn progress, void *pctx,
                       uint64_t *out_id)
{
    uint8_t *dockey = NULL, *cur = NULL, *nxt = NULL, *out = NULL;
    uint8_t header[BN_DOC_STREAM_HEADER_BYTES];
    size_t nlen = name != NULL ? strlen(name) : 0, curlen = 0, nxtlen = 0;
    uint64_t sent = 0;
    uint32_t index = 0;
    bn_doc_stream st;
    window w = {{0}, 0};
    int rc, final = 0;

    memset(&st, 0, sizeof st);
    if (nlen == 0 || nlen > BN_DOC_NAME_MAX ||
        bn_str_check(name, nlen, BN_DOC_NAME_MAX) != 0 ||
        kind > BN_DOC_KIND_MAX || (kind == BNC_DOC_PLAIN && date != 0))
        return BN_EINVAL;
    if (kind == BNC_DOC_DIAGNOSIS &&
        (date < BN_DATE_MIN || date > BN_DATE_MAX || date > bnc_date_today()))
        return BN_EDATE;
    if (p->keys_changed)
        return BN_EUNVERIFIED;
    if (doc_id == 0)
        doc_id = bn_random_u64();
    dockey = sodium_malloc(BN_KEY_BYTES);
    cur = sodium_malloc(BN_DOC_CHUNK);
    nxt = sodium_malloc(BN_DOC_CHUNK);
    out = malloc(BN_DOC_CHUNK_MAX);
    if (dockey == NULL || cur == NULL || nxt == NULL || out == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    bn_doc_key_generate(dockey);
    rc = bn_doc_push_init(&st, header, dockey);
    if (rc == 0)
        rc = doc_begin(c, p, doc_id, dockey, name, size, header);
    if (rc == 0)
        rc = bn_read_full(fd, cur, BN_DOC_CHUNK, &curlen);
    while (rc == 0 && !final) {
        bn_msg req;
        /* Read one chunk ahead: the last chunk carries the final tag. */
        nxtlen = 0;
        if (curlen == BN_DOC_CHUNK)
            rc = bn_read_full(fd, nxt, BN_DOC_CHUNK, &nxtlen);
        if (rc != 0)
            break;
        final = curlen < BN_DOC_CHUNK || nxtlen == 0;
        sent += curlen;
        if (final && sent != size) {
            rc = BN_EIO; /* the file changed while we read it */
            break;
        }
        rc = bn_doc_push(&st, out, doc_id, cur, curlen, final);
        if (rc != 0)
            break;
        bn_msg_init(&req, BN_MSG_DOC_CHUNK, 0);
        req.u.doc_chunk.pair_id = p->info.id;
        req.u.doc_chunk.doc_id = doc_id;
        req.u.doc_chunk.index = index;
        req.u.doc_chunk.data =
            (bn_bin){out, (uint32_t)(curlen + BN_DOC_CHUNK_OVERHEAD)};
        req.u.doc_chunk.final = (uint8_t) final;
        if (!final) {
            if (w.n == BNC_DOC_PUT_WINDOW) {
                rc = window_take(c, &w, doc_id);
                if (rc != 0)
                    break;
            }
            rc = bnc_send(c->conn, &req, &w.ids[w.n]);
            if (rc != 0)
                break;
            w.n++;
        } else {
            req.u.doc_chunk.kind = kind; /* the mark: final chunk only */
            req.u.doc_chunk.date = date;
            /* Every chunk must have landed before the one that completes
             * the document and carries its log entry. */
            while (rc == 0 && w.n > 0)
                rc = window_take(c, &w, doc_id);
            if (rc == 0) {
                bn_msg rep;
                rc = bnc__write(c, p, &req, &req.u.doc_chunk.entry,
                                BN_MSG_DOC_STATUS, &rep);
                if (rc == 0 && (rep.u.doc_status.doc_id != doc_id ||
                                !rep.u.doc_status.complete))
                    rc = BN_EPROTO;
                bn_msg_free(&rep);
            }
        }
        if (rc == 0 && progress != NULL)
            progress(pctx, sent, size);
        index++;
        uint8_t *t = cur;
        cur = nxt;
        nxt = t;
        curlen = nxtlen;
    }
    if (rc != 0)
        window_drain(c, &w, doc_id);
    if (rc == 0 && out_id != NULL)
        *out_id = doc_id;
cleanup:
    bn_doc_stream_wipe(&st);
    if (dockey != NULL) {
        sodium_memzero(dockey, BN_KEY_BYTES);
        sodium_free(dockey);
    }
    if (cur != NULL) {
        sodium_memzero(cur, BN_DOC_CHUNK);
        sodium_free(cur);
    }
    if (nxt != NULL) {
        sodium_memzero(nxt, BN_DOC_CHUNK);
        sodium_free(nxt);
    }
    free(out);
    return rc;
}

/* ---- listing -------------------------------------------------------- */

/* open_key opens a document's key envelope into dockey (32 bytes). */
static int open_key(const bnc_pair *p, uint64_t doc_id, uint64_t author_id,
                    uint32_t epoch, const uint8_t *env, size_t envlen,
                    uint8_t *dockey)
{
    const bnc_member *author = bnc_pair_member(p, author_id);
    const uint8_t *pairkey;
    uint8_t *pt = NULL;
    size_t len = 0;
    bn_note_ad ad;
    int rc;

    if (author == NULL)
        return BN_ESIG;
    rc = bnc__content_key(p, epoch, &pairkey);
    if (rc != 0)
        return rc;
    doc_ad(&ad, p->info.id, doc_id, author_id, BN_AD_KIND_DOC_KEY);
    rc =
        bn_envelope_open(&pt, &len, pairkey, &ad, env, envlen, author->sign_pk);
    if (rc == 0 && len != BN_KEY_BYTES)
        rc = BN_ECORRUPT;
    if (rc == 0)
        memcpy(dockey, pt, BN_KEY_BYTES);
    if (pt != NULL) {
        sodium_memzero(pt, len);
        sodium_free(pt);
    }
    return rc;
}

/* open_header opens the sealed name and size of a listed document. */
static int open_header(const bnc_pair *p, bnc_doc *d,
                       const struct bn_doc_meta *m)
{
    const bnc_member *author = bnc_pair_member(p, m->author_id);
    uint8_t *dockey = sodium_malloc(BN_KEY_BYTES), *pt = NULL;
    size_t len = 0, nlen;
    bn_note_ad ad;
    int rc;

    if (dockey == NULL)
        return BN_ENOMEM;
    rc = open_key(p, m->doc_id, m->author_id, m->epoch, m->key_env.ptr,
                  m->key_env.len, dockey);
    if (rc == 0) {
        doc_ad(&ad, p->info.id, m->doc_id, m->author_id, BN_AD_KIND_DOC_HEADER);
        rc = bn_envelope_open(&pt, &len, dockey, &ad, m->header_env.ptr,
                              m->header_env.len, author->sign_pk);
    }
    if (rc == 0) {
        nlen = strnlen((const char *)pt, len);
        if (nlen == 0 || nlen > BN_DOC_NAME_MAX || len != nlen + 1 + 8) {
            rc = BN_ECORRUPT;
        } else {
            memcpy(d->name, pt, nlen);
            d->name[nlen] = '\0';
            d->size = bn_get_be64(pt + nlen + 1);
        }
    }
    if (pt != NULL) {
        sodium_memzero(pt, len);
        sodium_free(pt);
    }
    sodium_memzero(dockey, BN_KEY_BYTES);
    sodium_free(dockey);
    return rc;
}

/* drop_docs frees a partial list (list_all on failure). */
static void drop_docs(void *arr, size_t n)
{
    bnc_doc_list_free(arr, n);
}

static int take_docs(const bn_msg *rep, const void *ctx, void **arr, size_t *n,
                     uint64_t *last, int *more)
{
    const struct bnc__list_ctx *lc = ctx;
    const bn_docs *r = &rep->u.docs;
    const bnc_pair *p = lc->p;

    for (uint32_t i = 0; i < r->items.len; i++) {
        const struct bn_doc_meta *m = &r->items.v[i];
        const bnc_member *a = bnc_pair_member(p, m->author_id);
        bnc_doc d;
        int rc;

        rc = bnc__page_next(last, m->doc_id);
        if (rc != 0)
            return rc;
        if (!m->complete)
            continue; /* never shown: the server should not list them */
        rc = bnc__check_doc(lc->c, p, m);
        if (rc != 0)
            return rc;
        bnc__project_doc(&d, m);
        if (a != NULL)
            snprintf(d.author_name, sizeof d.author_name, "%s", a->name);
        d.sealed = malloc(sizeof *d.sealed + m->key_env.len);
        if (d.sealed == NULL)
            return BN_ENOMEM;
        memcpy(d.sealed->stream_header, m->stream_header,
               sizeof d.sealed->stream_header);
        memcpy(d.sealed->final_hash, m->final_hash,
               sizeof d.sealed->final_hash);
        if (m->key_env.len > 0)
            memcpy(d.sealed->key_env, m->key_env.ptr, m->key_env.len);
        d.sealed->key_env_len = m->key_env.len;
        d.open_rc = open_header(p, &d, m);
        rc = bnc__append(arr, n, sizeof d, &d);
        if (rc != 0) {
            free(d.sealed);
            return rc;
        }
    }
    *more = r->more;
    return 0;
}

int bnc_doc_list(bnc_client *c, const bnc_pair *p, bnc_doc **items, size_t *n)
{
    struct bnc__list_ctx lc = {c, p};
    bn_msg req;
    int rc;

    c->tamper[0] = '\0';
    bn_msg_init(&req, BN_MSG_DOC_LIST, 0);
    req.u.doc_list.pair_id = p->info.id;
    rc = bnc__list_all(c, &req, &req.u.doc_list.after, BN_MSG_DOCS, take_docs,
                       &lc, (void **)items, n, drop_docs);
    if (rc == 0)
        rc = bnc__check_listed(c, p, BN_MSG_DOC_CHUNK, *items, *n,
                               sizeof **items, offsetof(bnc_doc, doc_id));
    if (rc != 0) {
        bnc_doc_list_free(*items, *n);
        *items = NULL;
        *n = 0;
    }
    return rc;
}

void bnc_doc_list_free(bnc_doc *items, size_t n)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(items[i].sealed);
        sodium_memzero(items[i].name, sizeof items[i].name);
    }
    free(items);
}

/* ---- download ------------------------------------------------------- */

/* A reply kept until its turn: reads may be answered in any order. */
typedef struct slot {
    uint64_t id;
    int sent, have;
    bn_msg rep;
} slot;

/* pull_one opens chunk index from its reply and writes its plaintext; the
 * final chunk must be the one the author logged (its hash). */
static int pull_one(bn_doc_stream *st, const bn_msg *rep, uint32_t index,
                    const bnc_doc *doc, uint8_t *buf, int fd, uint64_t *done)
{
    const bn_doc_data *d = &rep->u.doc_data;
    uint32_t chunks = doc->chunks;
    uint8_t h[BN_HASH_BYTES];
    size_t len = 0;
    int final = 0, rc;

    if (rep->type != BN_MSG_DOC_DATA || d->index != index)
        return BN_EPROTO;
    if (d->data.len < BN_DOC_CHUNK_OVERHEAD || d->data.len > BN_DOC_CHUNK_MAX)
        return BN_ESTREAM;
    if (index + 1 == chunks) {
        bn_hash(h, d->data.ptr, d->data.len);
        if (memcmp(h, doc->sealed->final_hash, sizeof h) != 0)
            return BN_ETAMPER;
    }
    rc = bn_doc_pull(st, buf, &len, doc->doc_id, d->data.ptr, d->data.len,
                     &final);
    if (rc != 0)
        return rc;
    /* The final tag must close the last chunk, and only it. */
    if (final != (index + 1 == chunks) || (d->final != 0) != final)
        return BN_ESTREAM;
    rc = bn_write_full(fd, buf, len);
    sodium_memzero(buf, len);
    if (rc == 0)
        *done += len;
    return rc;
}

int bnc_doc_get(bnc_client *c, const bnc_pair *p, const bnc_doc *d, int fd,
                bnc_progress_fn progress, void *pctx)
{
    slot slots[BNC_DOC_GET_WINDOW];
    uint8_t *dockey = NULL, *buf = NULL;
    uint32_t next_req = 0, next_want = 0;
    uint64_t done = 0;
    bn_doc_stream st;
    int rc, inflight = 0;

    memset(slots, 0, sizeof slots);
    memset(&st, 0, sizeof st);
    if (d->sealed == NULL)
        return BN_EINVAL; /* not from bnc_doc_list */
    if (d->open_rc != 0)
        return d->open_rc;
    if (d->chunks == 0)
        return BN_ESTREAM;
    dockey = sodium_malloc(BN_KEY_BYTES);
    buf = sodium_malloc(BN_DOC_CHUNK);
    if (dockey == NULL || buf == NULL) {
        rc = BN_ENOMEM;
        goto cleanup;
    }
    rc = open_key(p, d->doc_id, d->author_id, d->epoch, d->sealed->key_env,
                  d->sealed->key_env_len, dockey);
    if (rc == 0)
        rc = bn_doc_pull_init(&st, d->sealed->stream_header, dockey);
    while (rc == 0 && next_want < d->chunks) {
        /* Keep the window full of reads: a slot is free once its chunk
         * was written out, not merely answered. */
        while (rc == 0 && next_req - next_want < BNC_DOC_GET_WINDOW &&
               next_req < d->chunks) {
            slot *s = &slots[next_req % BNC_DOC_GET_WINDOW];
            bn_msg req;
            bn_msg_init(&req, BN_MSG_DOC_READ, 0);
            req.u.doc_read.pair_id = p->info.id;
            req.u.doc_read.doc_id = d->doc_id;
            req.u.doc_read.index = next_req;
            rc = bnc_send(c->conn, &req, &s->id);
            s->sent = 1;
            s->have = 0;
            next_req++;
            inflight++;
        }
        if (rc != 0)
            break;
        slot *want = &slots[next_want % BNC_DOC_GET_WINDOW];
        if (!want->have) {
            bn_msg rep = {0};
            int i;
            rc = bnc_recv(c->conn, &rep);
            for (i = 0; i < BNC_DOC_GET_WINDOW; i++)
                if (slots[i].sent && !slots[i].have && slots[i].id == rep.id)
                    break;
            if (i == BNC_DOC_GET_WINDOW) {
                if (rc == 0)
                    rc = BN_EPROTO;
                bn_msg_free(&rep);
                break;
            }
            inflight--;
            if (rc != 0) {
                slots[i].sent = 0;
                bn_msg_free(&rep);
                break;
            }
            slots[i].rep = rep;
            slots[i].have = 1;
            continue;
        }
        rc = pull_one(&st, &want->rep, next_want, d, buf, fd, &done);
        bn_msg_free(&want->rep);
        memset(want, 0, sizeof *want);
        next_want++;
        if (rc == 0 && progress != NULL)
            progress(pctx, done, d->size);
    }
    if (rc == 0)
        rc = bn_doc_pull_finish(&st);
    if (rc == 0 && done != d->size)
        rc = BN_ECORRUPT;
    /* Take the replies still due so the connection stays usable. */
    while (rc != 0 && inflight > 0) {
        bn_msg rep = {0};
        int trc = bnc_recv(c->conn, &rep);
        bn_msg_free(&rep);
        inflight--;
        if (trc != 0 && trc != BN_ENOTFOUND && trc != BN_EDENIED)
            break;
    }
    if (rc == BN_ETAMPER)
        bnc__tamper(c, rc,
                    "document %016" PRIx64 ": its last chunk is not the one "
                    "its author logged",
                    d->doc_id);
cleanup:
    for (int i = 0; i < BNC_DOC_GET_WINDOW; i++)
        if (slots[i].have)
            bn_msg_free(&slots[i].rep);
    bn_doc_stream_wipe(&st);
    if (dockey != NULL) {
        sodium_memzero(dockey, BN_KEY_BYTES);
        sodium_free(dockey);
    }
    if (buf != NULL) {
        sodium_memzero(buf, BN_DOC_CHUNK);
        sodium_free(buf);
    }
    return rc;
}

void bnc_doc_safe_name(char out[BN_DOC_NAME_MAX + 1], const char *name,
                       uint64_t doc_id)
{
    size_t n = 0, left;

    while (*name == '.')
        name++;
    left = strlen(name);
    while (left > 0) {
        int hazard;
        int32_t cp;
        size_t k = bn_text_unit(name, left, 0, &hazard, &cp);
        /* A control, a bidirectional override or a stray byte in a file
         * name would mislead whoever lists the directory. */
        if (hazard || cp == '/' || cp == '\\') {
            if (n + 1 > BN_DOC_NAME_MAX)
                break;
            out[n++] = '_';
        } else {
            if (n + k > BN_DOC_NAME_MAX)
                break;
            memcpy(out + n, name, k);
            n += k;
        }
        name += k;
        left -= k;
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, BN_DOC_NAME_MAX + 1, "document-%016" PRIx64, doc_id);
}
