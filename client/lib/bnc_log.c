/*
 * bnc_log.c: the pair's tamper-evident log on the client side (DESIGN.md,
 * "The pair's log"): signing the entry of every write, remembering the
 * last verified head in log/PAIR, and the one check that the server's log
 * still extends it.
 */
#include "binome.h"
#include "bnc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITE_TRIES 5 /* signatures on BN_ESTALE */
/* A bound on a pair's log: ten entries a day for seventy years, about
 * 45 MiB in memory; a server cannot make a client grow past it. */
#define LOG_ENTRIES_MAX (1u << 18)

int bnc_log_check(uint64_t pair_id, const bnc_log_head *known,
                  const bn_log_entry *entries, size_t n,
                  const bnc_log_head *expect, bn_log_key_fn key, void *ctx,
                  bnc_log_head *out, uint64_t *bad_seq)
{
    static const bnc_log_head zero;
    const bnc_log_head *k = known != NULL ? known : &zero;
    const bn_log_entry *rest = entries;
    size_t nrest = n;
    uint8_t head[BN_HASH_BYTES], h[BN_HASH_BYTES];
    uint64_t last = 0, bad = 0;
    int rc;

    if (bad_seq != NULL)
        *bad_seq = 0;
    if ((entries == NULL && n > 0) || key == NULL)
        return BN_EINVAL;
    memset(head, 0, sizeof head);
    if (k->seq > 0) {
        /* What we saw must still be there, unchanged: the server may add
         * to the log, never take back or rewrite. */
        if ((expect != NULL && expect->seq < k->seq) || n == 0 ||
            entries[0].seq != k->seq) {
            bad = k->seq;
            rc = BN_EROLLBACK;
            goto fail;
        }
        bn_log_entry_hash(h, pair_id, &entries[0]);
        if (sodium_memcmp(h, k->hash, sizeof h) != 0) {
            bad = k->seq;
            rc = BN_EROLLBACK;
            goto fail;
        }
        memcpy(head, k->hash, sizeof head);
        last = k->seq;
        rest++;
        nrest--;
    }
    /* Each entry in its place: a gap or a swap names the seq expected. */
    for (size_t i = 0; i < nrest; i++)
        if (rest[i].seq != last + 1 + i) {
            bad = last + 1 + i;
            rc = BN_ECHAIN;
            goto fail;
        }
    rc = bn_log_verify(pair_id, rest, nrest, head, key, ctx, head, &bad);
    if (rc != 0) {
        rc = BN_ECHAIN; /* a bad signature breaks the chain too */
        goto fail;
    }
    last += nrest;
    if (expect != NULL &&
        (expect->seq != last ||
         sodium_memcmp(expect->hash, head, sizeof head) != 0)) {
        /* The server announced another head than the chain it sent. */
        bad = expect->seq < last ? expect->seq + 1 : last + 1;
        if (expect->seq == last)
            bad = last;
        rc = BN_ECHAIN;
        goto fail;
    }
    if (out != NULL) {
        out->seq = last;
        memcpy(out->hash, head, sizeof head);
    }
    return 0;
fail:
    if (bad_seq != NULL)
        *bad_seq = bad;
    return rc;
}

/* ---- log/PAIR in the profile ---------------------------------------- */

/* log_path writes dir/log/PAIR to out (and makes dir/log when mk). */
static int log_path(const bnc_profile *prof, uint64_t pair_id, char *out,
                    size_t size, int mk)
{
    int rc, n;

    if (mk) {
        rc = bnc_profile_path(prof, out, size, "log");
        if (rc == 0)
            rc = bnc__mkdir_private(out);
        if (rc != 0)
            return rc;
    }
    n = snprintf(out, size, "%s/log/%" PRIu64, prof->dir, pair_id);
    return (n < 0 || (size_t)n >= size) ? BN_EINVAL : 0;
}

int bnc_log_load(const bnc_profile *prof, uint64_t pair_id, bnc_log_head *out)
{
    char path[BNC_PATH_MAX + 64], buf[128], hex[65];
    unsigned long long seq;
    FILE *f;
    size_t n;
    int rc;

    memset(out, 0, sizeof *out);
    rc = log_path(prof, pair_id, path, sizeof path, 0);
    if (rc != 0)
        return rc;
    f = fopen(path, "r");
    if (f == NULL)
        return errno == ENOENT ? 0 : -errno;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (sscanf(buf, "%llu %64[0-9a-f]", &seq, hex) != 2 || strlen(hex) != 64 ||
        bn_hex_decode(out->hash, sizeof out->hash, hex) != 0 || seq == 0) {
        memset(out, 0, sizeof *out);
        return BN_ECORRUPT;
    }
    out->seq = seq;
    return 0;
}

int bnc_log_save(const bnc_profile *prof, uint64_t pair_id,
                 const bnc_log_head *h)
{
    char path[BNC_PATH_MAX + 64], hex[65], buf[128];
    int rc, n;

    rc = log_path(prof, pair_id, path, sizeof path, 1);
    if (rc != 0)
        return rc;
    bn_hex_encode(hex, h->hash, sizeof h->hash);
    n = snprintf(buf, sizeof buf, "%" PRIu64 " %s\n", h->seq, hex);
    return bn_file_write_atomic(path, (const uint8_t *)buf, (size_t)n, 0600);
}

int bnc_log_forget(const bnc_profile *prof, uint64_t pair_id)
{
    char path[BNC_PATH_MAX + 64];
    int rc = log_path(prof, pair_id, path, sizeof path, 0);

    if (rc == 0 && unlink(path) != 0 && errno != ENOENT)
        rc = -errno;
    if (rc == 0)
        rc = bnc__resync_forget(prof, pair_id);
    return rc;
}

void bnc_log_digest(const bnc_log_head *h, char out[BNC_LOG_DIGEST_MAX])
{
    char hex[17];

    if (h->seq == 0) {
        snprintf(out, BNC_LOG_DIGEST_MAX, "-");
        return;
    }
    bn_hex_encode(hex, h->hash, 8);
    snprintf(out, BNC_LOG_DIGEST_MAX, "%.4s %.4s %.4s %.4s", hex, hex + 4,
             hex + 8, hex + 12);
}

/* ---- talking to the server ------------------------------------------ */

int bnc__members_key(void *ctx, uint64_t author_id, uint8_t sign_pk[32])
{
    const bnc_member *m = bnc_pair_member(ctx, author_id);

    if (m == NULL)
        return BN_ENOTFOUND;
    memcpy(sign_pk, m->sign_pk, 32);
    return 0;
}

/* fetch_log gets every entry from seq from on (LOG_GET, paged) into a
 * malloc'd array, and stops asking once it holds seq until (0: the end). */
static int fetch_log(bnc_client *c, uint64_t pair_id, uint64_t from,
                     uint64_t until, bn_log_entry **out, size_t *n)
{
    bn_log_entry *v = NULL;
    size_t len = 0;
    int rc = 0, more = 1;

    while (more && rc == 0) {
        bn_msg req, rep = {0};
        bn_msg_init(&req, BN_MSG_LOG_GET, 0);
        req.u.log_get.pair_id = pair_id;
        req.u.log_get.from_seq = from;
        rc = bnc_call(c->conn, &req, &rep);
        if (rc == 0)
            rc = bnc__expect(&rep, BN_MSG_LOG);
        if (rc == 0) {
            const bn_log *l = &rep.u.log;
            for (uint32_t i = 0; i < l->entries.len && rc == 0; i++) {
                bn_log_entry e;
                rc = bn_log_entry_decode(&e, l->entries.v[i].entry.ptr,
                                         l->entries.v[i].entry.len);
                if (rc == 0 && len >= LOG_ENTRIES_MAX)
                    rc = BN_ELIMIT;
                if (rc == 0)
                    rc = bnc__append((void **)&v, &len, sizeof e, &e);
            }
            /* A page that says "more" must move forward. */
            more = l->more;
            if (rc == 0 && more &&
                (l->entries.len == 0 || v[len - 1].seq < from))
                rc = BN_EPROTO;
            if (rc == 0 && more)
                from = v[len - 1].seq + 1;
            if (rc == 0 && until > 0 && len > 0 && v[len - 1].seq >= until)
                more = 0;
        }
        bn_msg_free(&rep);
    }
    if (rc != 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n = len;
    return 0;
}

/* note_erasure records in p->erased an entry by which its author erased
 * what they wrote (the latest one per author counts). */
static void note_erasure(bnc_pair *p, const bn_log_entry *e)
{
    size_t i = 0;

    if (e->version != BN_LOG_VERSION || e->op != BN_MSG_PAIR_ERASE ||
        e->sub != BN_LOG_ERASE_MINE)
        return;
    while (i < p->nerased && p->erased[i].author_id != e->author_id)
        i++;
    if (i == BN_MEMBERS_MAX)
        return; /* no member left to record: items stay "withheld" */
    p->erased[i].author_id = e->author_id;
    p->erased[i].seq = e->seq;
    p->nerased += i == p->nerased;
}

int bnc__log_keep(bnc_pair *p, const bn_log_entry *e, size_t n)
{
    bn_log_entry *v;

    if (n == 0)
        return 0;
    if (p->nlog + n > LOG_ENTRIES_MAX)
        return BN_ELIMIT;
    v = realloc(p->log, (p->nlog + n) * sizeof *v);
    if (v == NULL)
        return BN_ENOMEM;
    memcpy(v + p->nlog, e, n * sizeof *v);
    p->log = v;
    p->nlog += n;
    for (size_t i = 0; i < n; i++)
        note_erasure(p, &e[i]);
    return 0;
}

/* check_from fetches the log after known and checks it (expect may be
 * NULL); on success *out is the new head and the new entries are kept in
 * p (known must be p's head, or zero with p's log empty). */
static int check_from(bnc_client *c, bnc_pair *p, const bnc_log_head *known,
                      const bnc_log_head *expect, bnc_log_head *out)
{
    bn_log_entry *entries = NULL;
    size_t n = 0;
    int rc;

    c->log_bad_seq = 0;
    rc = fetch_log(c, p->info.id, known->seq > 0 ? known->seq : 1,
                   expect != NULL ? expect->seq : 0, &entries, &n);
    /* A write may land between PAIR_GET (which announced expect) and
     * LOG_GET: entries past the announced head are checked next time, so
     * they must not count as a mismatch now. Only trailing entries are cut;
     * one out of order in the middle still fails the check. */
    while (rc == 0 && expect != NULL && n > 0 &&
           entries[n - 1].seq > expect->seq)
        n--;
    if (rc == 0)
        rc = bnc_log_check(p->info.id, known, entries, n, expect,
                           bnc__members_key, (void *)p, out, &c->log_bad_seq);
    c->log_bad_author = 0;
    for (size_t i = 0; rc != 0 && i < n; i++)
        if (entries[i].seq == c->log_bad_seq)
            c->log_bad_author = entries[i].author_id;
    /* entries[0] is the known head itself when something was known. */
    if (rc == 0 && known->seq > 0)
        rc = bnc__log_keep(p, entries + 1, n - 1);
    else if (rc == 0)
        rc = bnc__log_keep(p, entries, n);
    free(entries);
    return rc;
}

/* describe_loss: after a verified log that lost the known head, what it
 * lost (bnc_resync.c), with the authors' names as the pair lists them. */
static void describe_loss(bnc_client *c, const bnc_pair *p,
                          const bnc_log_head *known)
{
    bnc__idx *idx = NULL;
    size_t nidx = 0;

    bnc__loss_clear(&c->loss);
    /* An index that does not read is no index: the loss is then only
     * bounded by the head (exact 0). */
    if (bnc__idx_load(c->profile, p->info.id, &idx, &nidx) != 0)
        nidx = 0;
    if (bnc__log_loss(p->info.id, known, idx, nidx, p->log, p->nlog,
                      &c->loss) == 0)
        for (size_t i = 0; i < c->loss.nlost; i++) {
            const bnc_member *m = bnc_pair_member(p, c->loss.lost[i].author_id);
            if (m != NULL)
                snprintf(c->loss.lost[i].author, sizeof c->loss.lost[i].author,
                         "%s", m->name);
        }
    free(idx);
}

int bnc__log_open(bnc_client *c, bnc_pair *p, const bnc_log_head *expect)
{
    static const bnc_log_head zero;
    bnc_log_head known, now;
    int rc;

    c->log_bad_seq = 0;
    bnc__loss_clear(&c->loss);
    rc = bnc_log_load(c->profile, p->info.id, &known);
    if (rc != 0)
        return rc;
    /* The whole log, every time: what the client shows is checked
     * against every entry, not only the new ones. A log that fails any
     * check is BN_ECHAIN, even when it is also shorter than what we saw:
     * only a validly signed history can be described as a loss. */
    free(p->log);
    p->log = NULL;
    p->nlog = 0;
    p->nerased = 0;
    rc = check_from(c, p, &zero, expect, &now);
    if (rc == 0 && known.seq > 0 &&
        bn_log_extends(p->info.id, p->log, p->nlog, known.seq, known.hash) !=
            0) {
        /* Shorter than what we saw, or another entry at our head. */
        describe_loss(c, p, &known);
        c->log_bad_seq = c->loss.known_seq ? c->loss.from_seq : known.seq;
        rc = BN_EROLLBACK;
        /* bnc_pair_resync: the member accepted exactly this loss. */
        if (c->resync_from != 0 && c->loss.known_seq != 0 &&
            c->loss.from_seq == c->resync_from) {
            p->resynced = 1;
            rc = 0;
        }
    }
    if (rc != 0)
        return rc;
    p->log_seq = now.seq;
    memcpy(p->log_head, now.hash, sizeof p->log_head);
    return 0;
}

int bnc__log_remember(bnc_client *c, const bnc_pair *p)
{
    bnc_log_head known, now;
    int rc = bnc_log_load(c->profile, p->info.id, &known), changed;

    if (rc != 0 || (p->resynced && c->resync_hold))
        return rc; /* bnc_pair_resync remembers it once all is checked */
    now.seq = p->log_seq;
    memcpy(now.hash, p->log_head, sizeof now.hash);
    changed = now.seq != known.seq ||
              sodium_memcmp(now.hash, known.hash, sizeof now.hash) != 0;
    /* An accepted loss is recorded before the head that forgets it. */
    if (p->resynced && c->loss.known_seq != 0)
        rc = bnc__resync_record(c->profile, p->info.id, &c->loss);
    if (rc == 0 && changed)
        rc = bnc_log_save(c->profile, p->info.id, &now);
    if (rc == 0)
        rc = bnc__idx_keep(c->profile, p, changed);
    return rc;
}

int bnc_log_refresh(bnc_client *c, bnc_pair *p)
{
    bnc_log_head known, now;
    int rc;

    known.seq = p->log_seq;
    memcpy(known.hash, p->log_head, sizeof known.hash);
    rc = check_from(c, p, &known, NULL, &now);
    if (rc == 0 && now.seq != known.seq)
        rc = bnc_log_save(c->profile, p->info.id, &now);
    if (rc == 0) {
        p->log_seq = now.seq;
        memcpy(p->log_head, now.hash, sizeof p->log_head);
    }
    if (rc == 0 && now.seq != known.seq)
        rc = bnc__idx_keep(c->profile, p, 1);
    return rc;
}

/* sign_entry makes the version 2 entry of req (what it is, its body hash)
 * extending p's head, encoded into enc. */
static int sign_entry(bnc_client *c, const bnc_pair *p, bn_msg *req,
                      bn_bin *entry, uint8_t enc[BN_LOG_ENTRY_BYTES])
{
    bn_log_entry e;
    int rc;

    *entry = (bn_bin){NULL, 0};
    req->id = 0;
    rc = bn_log_entry_make(&e, req, p->log_seq + 1, p->log_head, c->me.id,
                           (int64_t)time(NULL));
    if (rc == 0)
        rc = bn_log_entry_sign(&e, p->info.id, c->profile->id->sign_sk);
    if (rc == 0)
        rc = bn_log_entry_encode(enc, &e);
    if (rc == 0)
        *entry = (bn_bin){enc, BN_LOG_ENTRY_BYTES};
    return rc;
}

int bnc__write(bnc_client *c, bnc_pair *p, bn_msg *req, bn_bin *entry,
               uint16_t reply_type, bn_msg *rep)
{
    uint8_t enc[BN_LOG_ENTRY_BYTES];
    int rc, reconnected = 0;

    memset(rep, 0, sizeof *rep);
    for (int tries = 0;; tries++) {
        rc = sign_entry(c, p, req, entry, enc);
        if (rc != 0)
            break;
        bn_msg_free(rep);
        rc = bnc_call(c->conn, req, rep);
        if (rc == BN_ESTALE && tries + 1 < WRITE_TRIES) {
            /* The other member wrote first: take their entries, sign
             * again after them. */
            rc = bnc_log_refresh(c, p);
            if (rc != 0)
                break;
            continue;
        }
        if ((rc == BN_ECLOSED || rc == BN_ETIMEDOUT) && !reconnected) {
            reconnected = 1;
            rc = bnc_client_reconnect(c);
            if (rc != 0)
                break;
            continue;
        }
        break;
    }
    *entry = (bn_bin){NULL, 0};
    if (rc == 0)
        rc = bnc__expect(rep, reply_type);
    /* What a lost note revision of ours was, should a restore lose it
     * (ids only): a failure to note it loses no write. */
    if (rc == 0 && req->type == BN_MSG_NOTE_PUT)
        (void)bnc__mine_note(c->profile, p->info.id, req->u.note_put.note_id,
                             req->u.note_put.revision, req->u.note_put.kind,
                             req->u.note_put.session_id);
    if (rc == 0) {
        /* Move our head on through the server's log, checked like any
         * other; only a log that does not verify turns the landed write
         * into a failure. */
        int lrc = bnc_log_refresh(c, p);
        if (lrc == BN_EROLLBACK || lrc == BN_ECHAIN)
            rc = lrc;
    }
    return rc;
}
