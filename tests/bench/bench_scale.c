/*
 * bench_scale: a store of a million notes across ten thousand pairs (a
 * benchmark, not a test: it prints figures and fails only when something
 * does not work).
 *
 * It builds the store in process, through the dispatch and the writer
 * thread as the daemon would (bench_stats.c does the same for sessions):
 * one programme, BENCH_PAIRS pairs (two accounts each, both accepted, a
 * pair key drawn per pair and wrapped for both members with KEY_PUT),
 * then BENCH_NOTES notes spread evenly over the pairs, each written by
 * the pair's mentor with NOTE_PUT: a new note (random id, revision 1)
 * whose envelope is a real bn_envelope_seal under the pair's key of a
 * plaintext that makes envelopes of at least BENCH_SIZE bytes (as bn_load
 * --size picks them; the associated data binds pair, note id, revision,
 * author and kind, so every envelope is sealed for its own note), with
 * its signed log entry chained per pair. The writes are sealed in
 * advance, a chunk at a time, on one thread per processor while the
 * previous chunk is dispatched; the dispatch keeps up to PIPELINE
 * requests in flight, so the writer group-commits.
 *
 * Then it prints (key=value lines on stdout):
 *
 *   build: how long the setup and the notes took;
 *   disk:  data.mdb's allocated bytes (st_blocks * 512), LMDB's last page
 *          used * page size, the free pages inside, bytes per note (over
 *          the whole file and over what the notes added), the envelope's
 *          size and the ratio of the two;
 *   db:    pages of the largest databases (mdb_stat);
 *   read:  NOTE_GET of random notes (random pair, random note, as the
 *          pair's mentor) through the dispatch, one at a time: p50, p99,
 *          p99.9, max. Pass "warm" right after the build; pass "cold"
 *          after the server was closed, data.mdb dropped from the page
 *          cache (posix_fadvise DONTNEED) and the server opened again.
 *          The time runs from the dispatch call to the reply callback (no
 *          socket, no channel crypto). One read in 100 is opened with the
 *          pair key and checked against its note (not timed);
 *   stats: STATS_GET and every STATS_PAIRS_GET page (median of
 *          BENCH_ROUNDS), as bench_stats.
 *
 * Environment: BENCH_PAIRS (10000), BENCH_NOTES (1000000), BENCH_SIZE
 * (2048), BENCH_READS (100000), BENCH_COLD_READS (20000; 0: no cold
 * pass), BENCH_ROUNDS (5), BENCH_PIPELINE (4096), BENCH_CHUNK (65536
 * writes sealed at a time). BENCH_DIR: build in DIR/data (with
 * BENCH_LISTEN, HOST:PORT, in its binomed.conf) and keep it, with an
 * admin profile in DIR/admin sealed with BINOME_PASSPHRASE, for a real
 * `binome admin stats` (scripts/bench_scale.sh); without it a temporary
 * directory under /tmp is removed at exit.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/bn_testfs.h"
#include "bench_world.h"
#include "bnc_internal.h" /* the handles' insides, for white-box checks */

#define MAX_THREADS 16
#define VERIFY_EVERY 100 /* reads whose envelope is opened and checked */

/* ---- the world ---------------------------------------------------------- */

struct world {
    bw_world core; /* programme, accounts, pairs (bench_world.h) */
    uint64_t nnotes;
    unsigned base, extra; /* pair i holds base + (i < extra) notes */
    uint8_t *keys;        /* npairs pair keys of 32 bytes, sodium_malloc */
    uint64_t *note_ids;   /* pair i's notes at first_note(i) */
    uint8_t *body;        /* the plaintext of every note (random) */
    size_t bodylen, envlen;
};

static unsigned notes_of(const struct world *w, unsigned i)
{
    return w->base + (i < w->extra);
}

static uint64_t first_note(const struct world *w, unsigned i)
{
    return (uint64_t)i * w->base + (i < w->extra ? i : w->extra);
}

/* login sends LOGIN for account as a new session c (the server was
 * opened again). */
static void login(bw_client *c, uint64_t account, const bn_identity *id)
{
    bn_msg m;
    bw_client_init(c);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = account;
    if (bn_login_sign(m.u.login.sig, &c->ch, id->sign_sk) != 0)
        bw_die("login sign", BN_EINTERNAL);
    c->on = bw_on_login;
    bw_send_req(c, &m);
    bw_drain();
}

/* put_key draws pair i's key and wraps it for both members (KEY_PUT from
 * the mentor, as bnc_pair_open does for the first member to open it). */
static void put_key(struct world *w, unsigned i)
{
    struct bn_key_wrap wraps[2];
    const bn_identity *to[2] = {w->core.idm, w->core.idt};
    uint64_t who[2] = {w->core.mentors[i].account, w->core.mentees[i].account};
    uint8_t *key = w->keys + (size_t)i * 32;
    uint8_t entry[BN_LOG_ENTRY_BYTES], kid[32];
    bn_msg m;

    bn_pairkey_generate(key);
    bn_pairkey_id(kid, w->core.pairs[i], w->core.epoch[i], key);
    memset(wraps, 0, sizeof wraps);
    for (int k = 0; k < 2; k++) {
        memcpy(wraps[k].key_id, kid, 32);
        wraps[k].epoch = w->core.epoch[i];
        wraps[k].member_id = who[k];
        wraps[k].wrapper_id = who[0];
        if (bn_pairkey_wrap(wraps[k].wrap, w->core.pairs[i], w->core.epoch[i],
                            who[k], to[k]->box_pk, who[0], key,
                            w->core.idm->sign_sk) != 0)
            bw_die("pair key wrap", BN_EINTERNAL);
    }
    bn_msg_init(&m, BN_MSG_KEY_PUT, 0);
    m.u.key_put.pair_id = w->core.pairs[i];
    m.u.key_put.epoch = w->core.epoch[i];
    m.u.key_put.wraps.v = wraps;
    m.u.key_put.wraps.len = 2;
    bw_sign_entry(&m, w->core.pairs[i], who[0], w->core.idm->sign_sk,
                  &w->core.seq[i], w->core.head[i], entry);
    w->core.mentors[i].on = NULL;
    bw_send_req(&w->core.mentors[i], &m);
}

/* build_pairs creates and accepts the pairs, then puts their keys. */
static void build_pairs(struct world *w)
{
    bw_build_pairs(&w->core);
    for (unsigned i = 0; i < w->core.npairs; i++)
        put_key(w, i);
    bw_drain();
}

/* ---- the notes: sealed in chunks on threads, dispatched in order ------- */

/* A chunk: rounds k0 .. k1-1; slot (k - k0) * npairs + i holds pair i's
 * k-th note as an encoded NOTE_PUT (len 0: that pair has no k-th note). */
typedef struct chunk {
    unsigned k0, k1;
    bn_buf *req;
} chunk;

typedef struct seal_job {
    struct world *w;
    chunk *ch;
    unsigned first, step;
} seal_job;

/* seal_note encodes pair i's k-th note: a real envelope bound to its
 * note id and a log entry chained on the pair's head. */
static void seal_note(struct world *w, unsigned i, unsigned k, bn_buf *out)
{
    uint8_t entry[BN_LOG_ENTRY_BYTES];
    uint8_t *env = NULL;
    size_t envlen = 0;
    bn_msg m;
    bn_note_ad ad = {.pair_id = w->core.pairs[i],
                     .note_id = w->note_ids[first_note(w, i) + k],
                     .revision = 1,
                     .author_id = w->core.mentors[i].account,
                     .kind = BN_KIND_NOTE,
                     .is_private = 0,
                     .session_id = 0};

    if (bn_envelope_seal(&env, &envlen, w->keys + (size_t)i * 32,
                         w->core.epoch[i], &ad, w->body, w->bodylen,
                         w->core.idm->sign_sk) != 0 ||
        envlen != w->envlen)
        bw_die("envelope seal", BN_EINTERNAL);
    bn_msg_init(&m, BN_MSG_NOTE_PUT, 0);
    m.u.note_put.pair_id = ad.pair_id;
    m.u.note_put.note_id = ad.note_id;
    m.u.note_put.revision = 1;
    m.u.note_put.kind = ad.kind;
    m.u.note_put.epoch = w->core.epoch[i];
    m.u.note_put.envelope = (bn_bin){env, (uint32_t)envlen};
    bw_sign_entry(&m, ad.pair_id, ad.author_id, w->core.idm->sign_sk,
                  &w->core.seq[i], w->core.head[i], entry);
    m.id = ((uint64_t)1 << 32) + k; /* replies go by session, not by id */
    bn_buf_init(out);
    if (bn_msg_encode(out, &m) != 0)
        bw_die("encode", BN_EINTERNAL);
    free(env);
}

/* seal_worker seals the notes of pairs first, first + step, ... of the
 * chunk: a pair's chain is touched by one thread only. */
static void *seal_worker(void *arg)
{
    seal_job *j = arg;
    struct world *w = j->w;
    chunk *ch = j->ch;

    for (unsigned i = j->first; i < w->core.npairs; i += j->step)
        for (unsigned k = ch->k0; k < ch->k1 && k < notes_of(w, i); k++)
            seal_note(w, i, k,
                      &ch->req[(size_t)(k - ch->k0) * w->core.npairs + i]);
    return NULL;
}

typedef struct sealer {
    pthread_t th[MAX_THREADS];
    seal_job job[MAX_THREADS];
    unsigned n;
} sealer;

static void seal_start(sealer *s, struct world *w, chunk *ch, unsigned nth)
{
    s->n = nth;
    for (unsigned t = 0; t < nth; t++) {
        s->job[t] = (seal_job){w, ch, t, nth};
        if (pthread_create(&s->th[t], NULL, seal_worker, &s->job[t]) != 0)
            bw_die("pthread_create", BN_ENOMEM);
    }
}

static void seal_wait(sealer *s)
{
    for (unsigned t = 0; t < s->n; t++)
        pthread_join(s->th[t], NULL);
    s->n = 0;
}

/* build_notes writes every note: chunk c + 1 is sealed while chunk c is
 * dispatched. */
static void build_notes(struct world *w, unsigned chunk_reqs, unsigned nth)
{
    unsigned rounds = w->base + (w->extra > 0);
    unsigned per =
        chunk_reqs / w->core.npairs ? chunk_reqs / w->core.npairs : 1;
    chunk ch[2];
    sealer sl = {0};
    uint64_t done = 0;
    double t0 = bn_bench_now_ms(), last = t0;

    for (int b = 0; b < 2; b++) {
        ch[b].req = calloc((size_t)per * w->core.npairs, sizeof *ch[b].req);
        if (ch[b].req == NULL)
            bw_die("memory", BN_ENOMEM);
    }
    ch[0].k0 = 0;
    ch[0].k1 = per < rounds ? per : rounds;
    seal_start(&sl, w, &ch[0], nth);
    for (unsigned c = 0; ch[c & 1].k0 < rounds; c++) {
        chunk *cur = &ch[c & 1], *next = &ch[(c + 1) & 1];
        seal_wait(&sl);
        next->k0 = cur->k1;
        next->k1 = next->k0 + per < rounds ? next->k0 + per : rounds;
        if (next->k0 < rounds)
            seal_start(&sl, w, next, nth);
        for (unsigned k = cur->k0; k < cur->k1; k++) {
            for (unsigned i = 0; i < w->core.npairs; i++) {
                bn_buf *r =
                    &cur->req[(size_t)(k - cur->k0) * w->core.npairs + i];
                if (r->len == 0)
                    continue;
                w->core.mentors[i].on = NULL;
                bw_send_raw(&w->core.mentors[i], r->data, r->len);
                bn_buf_free(r);
                done++;
            }
        }
        double t = bn_bench_now_ms();
        if (t - last > 10000) {
            fprintf(stderr, "bench_scale: %llu/%llu notes, %.0f/s\n",
                    (unsigned long long)done, (unsigned long long)w->nnotes,
                    done / ((t - t0) / 1e3));
            last = t;
        }
    }
    seal_wait(&sl);
    bw_drain();
    free(ch[0].req);
    free(ch[1].req);
}

/* ---- measures ------------------------------------------------------------ */

typedef struct dbsize {
    off_t file;     /* st_size */
    off_t alloc;    /* st_blocks * 512 */
    size_t psize;   /* LMDB page size */
    size_t last;    /* last page used + 1 */
    size_t freepgs; /* pages on LMDB's free list */
} dbsize;

/* free_pages counts the pages on the free list (FREE_DBI, dbi 0: each
 * value a list of page numbers, its first word the count). */
static size_t free_pages(MDB_txn *txn)
{
    MDB_cursor *cur;
    MDB_val k, v;
    size_t n = 0;

    if (mdb_cursor_open(txn, 0, &cur) != 0)
        return 0;
    while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0)
        if (v.mv_size >= sizeof(size_t))
            n += *(const size_t *)v.mv_data;
    mdb_cursor_close(cur);
    return n;
}

/* measure_size reads data.mdb's sizes and, when show, prints the pages
 * of each database holding more than 1% of the file. */
static void measure_size(const char *dir, dbsize *d, int show)
{
    char path[PATH_MAX + 16];
    struct stat st;
    MDB_envinfo info;
    MDB_stat est;
    MDB_txn *txn;

    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (stat(path, &st) != 0)
        bw_die("stat data.mdb", BN_EIO);
    d->file = st.st_size;
    d->alloc = (off_t)st.st_blocks * 512;
    if (bnd_store_read_begin(bw.srv->store, &txn) != 0)
        bw_die("read txn", BN_ESTORE);
    MDB_env *env = mdb_txn_env(txn);
    mdb_env_info(env, &info);
    mdb_env_stat(env, &est);
    d->psize = est.ms_psize;
    d->last = info.me_last_pgno + 1;
    d->freepgs = free_pages(txn);
    for (int db = 0; show && db < BND_DB_COUNT; db++) {
        MDB_stat s;
        if (mdb_stat(txn, bnd_store_dbi(bw.srv->store, (enum bnd_db)db), &s) !=
            0)
            continue;
        size_t pages =
            s.ms_branch_pages + s.ms_leaf_pages + s.ms_overflow_pages;
        if (pages * 100 < d->last)
            continue;
        printf("db: name=%s entries=%zu depth=%u branch_pages=%zu "
               "leaf_pages=%zu overflow_pages=%zu bytes=%zu\n",
               bnd_store_db_name((enum bnd_db)db), s.ms_entries, s.ms_depth,
               s.ms_branch_pages, s.ms_leaf_pages, s.ms_overflow_pages,
               pages * s.ms_psize);
    }
    bnd_store_read_end(bw.srv->store, txn);
}

/* cached_pct says how much of a file is in the page cache (mincore). */
static double cached_pct(const char *path)
{
    struct stat st;
    double pct = -1;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        long pg = sysconf(_SC_PAGESIZE);
        size_t n = ((size_t)st.st_size + (size_t)pg - 1) / (size_t)pg;
        unsigned char *vec = malloc(n);
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (vec != NULL && p != MAP_FAILED &&
            mincore(p, st.st_size, vec) == 0) {
            size_t in = 0;
            for (size_t i = 0; i < n; i++)
                in += vec[i] & 1;
            pct = 100.0 * (double)in / (double)n;
        }
        if (p != MAP_FAILED)
            munmap(p, (size_t)st.st_size);
        free(vec);
    }
    close(fd);
    return pct;
}

/* drop_cache asks the kernel to drop data.mdb's clean pages from the
 * page cache (no page of it may be mapped then). */
static void drop_cache(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        bw_die("open data.mdb", BN_EIO);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

struct readck {
    struct world *w;
    unsigned pair;
    uint64_t note;
    int verify;
    unsigned verified;
};

/* on_note checks a NOTE_GET reply: the note asked for and, for one read
 * in VERIFY_EVERY, that its envelope opens with the pair key under the
 * note's associated data (outside the timed interval). */
static void on_note(bw_client *c, const bn_msg *rep, void *arg)
{
    struct readck *r = arg;
    (void)c;
    if (rep->type != BN_MSG_NOTE || rep->u.note.meta.note_id != r->note ||
        rep->u.note.envelope.len != r->w->envlen)
        bw_die("NOTE_GET reply", BN_EPROTO);
    if (r->verify) {
        struct world *w = r->w;
        uint8_t *pt = NULL;
        size_t ptlen = 0;
        bn_note_ad ad = {.pair_id = w->core.pairs[r->pair],
                         .note_id = r->note,
                         .revision = 1,
                         .author_id = w->core.mentors[r->pair].account,
                         .kind = BN_KIND_NOTE,
                         .is_private = 0};
        int rc =
            bn_envelope_open(&pt, &ptlen, w->keys + (size_t)r->pair * 32, &ad,
                             rep->u.note.envelope.ptr, rep->u.note.envelope.len,
                             w->core.idm->sign_pk);
        if (rc != 0 || ptlen != w->bodylen ||
            sodium_memcmp(pt, w->body, ptlen) != 0)
            bw_die("envelope open", rc != 0 ? rc : BN_EAUTH);
        sodium_free(pt);
        r->verified++;
    }
}

/* pct returns the exact percentile p (0..100) of n sorted values
 * (bn_bench_pct_index), 0 when there are none. */
static double pct(const double *v, size_t n, double p)
{
    return n == 0 ? 0 : v[bn_bench_pct_index(n, p)];
}

/* read_pass times n NOTE_GETs of random notes, one at a time; readers[i]
 * reads pair i (when logged is not NULL, logged in on its first read,
 * outside the timed interval). cached: data.mdb's share in the page
 * cache before the pass (mdb: its path, for the share after it). */
static void read_pass(struct world *w, const char *name, unsigned n,
                      bw_client *readers, uint8_t *logged, const char *mdb,
                      double cached)
{
    double *lat = calloc(n ? n : 1, sizeof *lat);
    struct readck r = {w, 0, 0, 0, 0};
    double t0 = bn_bench_now_ms();

    if (lat == NULL)
        bw_die("memory", BN_ENOMEM);
    for (unsigned j = 0; j < n; j++) {
        unsigned i = (unsigned)randombytes_uniform(w->core.npairs);
        unsigned k = (unsigned)randombytes_uniform(notes_of(w, i));
        bw_client *c = &readers[i];
        bn_msg m;
        bn_buf b;

        if (logged != NULL && !logged[i]) {
            login(c, w->core.mentors[i].account, w->core.idm);
            logged[i] = 1;
        }
        r.pair = i;
        r.note = w->note_ids[first_note(w, i) + k];
        r.verify = j % VERIFY_EVERY == 0;
        c->on = on_note;
        c->arg = &r;
        bn_msg_init(&m, BN_MSG_NOTE_GET, 0);
        m.u.note_get.pair_id = w->core.pairs[i];
        m.u.note_get.note_id = r.note;
        m.u.note_get.revision = 0;
        m.id = c->next_id++;
        bn_buf_init(&b);
        if (bn_msg_encode(&b, &m) != 0)
            bw_die("encode", BN_EINTERNAL);
        bw.pending++;
        double t = bn_bench_now_ms();
        bnd_dispatch_frame(bw.srv, &c->s, b.data, b.len);
        bw_drain();
        lat[j] = (bw.t_reply - t) * 1e3;
        bn_buf_free(&b);
        c->on = NULL;
    }
    double secs = (bn_bench_now_ms() - t0) / 1e3;
    qsort(lat, n, sizeof *lat, bn_bench_cmp_double);
    printf("read: pass=%s cached_pct=%.1f cached_after_pct=%.1f reads=%u "
           "verified=%u seconds=%.2f p50_us=%.1f p99_us=%.1f p999_us=%.1f "
           "max_us=%.1f\n",
           name, cached, cached_pct(mdb), n, r.verified, secs, pct(lat, n, 50),
           pct(lat, n, 99), pct(lat, n, 99.9), n ? lat[n - 1] : 0.0);
    fflush(stdout);
    free(lat);
}

struct pages {
    uint64_t last;
    unsigned rows;
    int more;
};

static void on_stats(bw_client *c, const bn_msg *rep, void *arg)
{
    uint64_t *active = arg;
    (void)c;
    if (rep->type != BN_MSG_STATS)
        bw_die("STATS expected", BN_EPROTO);
    *active = rep->u.stats.pairs_active;
}

static void on_stats_pairs(bw_client *c, const bn_msg *rep, void *arg)
{
    struct pages *p = arg;
    (void)c;
    const bn_stats_pairs *r = &rep->u.stats_pairs;
    if (rep->type != BN_MSG_STATS_PAIRS)
        bw_die("STATS_PAIRS expected", BN_EPROTO);
    for (uint32_t i = 0; i < r->items.len; i++)
        p->last = r->items.v[i].pair_id;
    p->rows += r->items.len;
    p->more = r->more;
}

/* measure_stats times STATS_GET and every STATS_PAIRS_GET page (median of
 * rounds), as bench_stats. */
static void measure_stats(struct world *w, unsigned rounds)
{
    double *get_ms = calloc(rounds, sizeof *get_ms);
    double *pairs_ms = calloc(rounds, sizeof *pairs_ms);
    unsigned pages = 0;
    uint64_t page_bytes = 0;

    if (get_ms == NULL || pairs_ms == NULL)
        bw_die("memory", BN_ENOMEM);
    for (unsigned r = 0; r < rounds; r++) {
        uint64_t active = 0;
        bn_msg m;
        bn_msg_init(&m, BN_MSG_STATS_GET, 0);
        m.u.stats_get.programme_id = w->core.prog;
        w->core.admin.on = on_stats;
        w->core.admin.arg = &active;
        double t = bn_bench_now_ms();
        bw_send_req(&w->core.admin, &m);
        bw_drain();
        get_ms[r] = bn_bench_now_ms() - t;
        if (active != w->core.npairs)
            bw_die("STATS_GET: active pairs", BN_EINTERNAL);

        struct pages p = {0, 0, 1};
        w->core.admin.on = on_stats_pairs;
        w->core.admin.arg = &p;
        pages = 0;
        bw.reply_bytes = 0;
        t = bn_bench_now_ms();
        while (p.more) {
            bn_msg_init(&m, BN_MSG_STATS_PAIRS_GET, 0);
            m.u.stats_pairs_get.programme_id = w->core.prog;
            m.u.stats_pairs_get.after = p.last;
            bw_send_req(&w->core.admin, &m);
            bw_drain();
            pages++;
        }
        pairs_ms[r] = bn_bench_now_ms() - t;
        page_bytes = bw.reply_bytes;
        if (p.rows != w->core.npairs)
            bw_die("STATS_PAIRS rows", BN_EINTERNAL);
    }
    qsort(get_ms, rounds, sizeof *get_ms, bn_bench_cmp_double);
    qsort(pairs_ms, rounds, sizeof *pairs_ms, bn_bench_cmp_double);
    double g = get_ms[rounds / 2], p = pairs_ms[rounds / 2];
    printf("stats: pairs=%u stats_get_ms=%.3f stats_pairs_ms=%.3f pages=%u "
           "reply_bytes=%llu total_ms=%.3f rounds=%u\n",
           w->core.npairs, g, p, pages, (unsigned long long)page_bytes, g + p,
           rounds);
    fflush(stdout);
    free(get_ms);
    free(pairs_ms);
}

/* save_admin writes an admin profile (profile.conf, identity.key sealed
 * with BINOME_PASSPHRASE) for the CLI; the profile takes the identity. */
static void save_admin(struct world *w, const char *dir,
                       const bn_invite_code *ic)
{
    const char *pass = getenv("BINOME_PASSPHRASE");
    bnc_profile *p = NULL;

    if (pass == NULL)
        bw_die("BENCH_DIR needs BINOME_PASSPHRASE", BN_EPASSPHRASE);
    if (bnc_profile_new(&p, dir) != 0)
        bw_die("admin profile", BN_ENOMEM);
    snprintf(p->host, sizeof p->host, "%s", ic->host);
    p->port = ic->port;
    memcpy(p->server_pk, ic->server_pk, 32);
    p->account_id = w->core.admin.account;
    snprintf(p->name, sizeof p->name, "Bench admin");
    p->role = BN_ROLE_ADMIN;
    p->programme_id = 0;
    p->id = w->core.ida;
    w->core.ida = NULL;
    int rc = bnc_profile_save(p);
    if (rc == 0)
        rc = bnc_profile_save_identity(p, pass, strlen(pass));
    if (rc != 0)
        bw_die("admin profile", rc);
    bnc_profile_free(p);
}

int main(void)
{
    char tmp[64] = "/tmp/bench-scale-XXXXXX", root[PATH_MAX], dir[PATH_MAX];
    char adm[PATH_MAX], mdb[PATH_MAX + 16];
    const char *keep = getenv("BENCH_DIR");
    bn_invite_code ic;
    bnd_config cfg;
    struct world w;
    unsigned npairs = bn_bench_env_num("BENCH_PAIRS", 10000);
    uint64_t nnotes = bn_bench_env_num("BENCH_NOTES", 1000000);
    unsigned size = bn_bench_env_num("BENCH_SIZE", 2048);
    unsigned nreads = bn_bench_env_num("BENCH_READS", 100000);
    unsigned ncold = getenv("BENCH_COLD_READS") != NULL
                         ? (unsigned)atoi(getenv("BENCH_COLD_READS"))
                         : 20000;
    unsigned rounds = bn_bench_env_num("BENCH_ROUNDS", 5);
    unsigned chunk_reqs = bn_bench_env_num("BENCH_CHUNK", 65536);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nth = ncpu < 1             ? 1
                   : ncpu > MAX_THREADS ? MAX_THREADS
                                        : (unsigned)ncpu;
    int rc;

    bw.name = "bench_scale";
    bw.pipeline = bn_bench_env_num("BENCH_PIPELINE", 4096);
    if (bn_crypto_init() != 0)
        bw_die("libsodium", BN_EINTERNAL);
    if (nnotes < npairs)
        nnotes = npairs;
    if (keep != NULL) {
        snprintf(root, sizeof root, "%s", keep);
    } else {
        if (mkdtemp(tmp) == NULL)
            bw_die("mkdtemp", BN_EIO);
        snprintf(root, sizeof root, "%s", tmp);
    }
    snprintf(dir, sizeof dir, "%.*s/data", PATH_MAX - 16, root);
    snprintf(adm, sizeof adm, "%.*s/admin", PATH_MAX - 16, root);
    snprintf(mdb, sizeof mdb, "%s/data.mdb", dir);
    bw_open(dir, getenv("BENCH_LISTEN"), &ic, &cfg);

    bw_world_init(&w.core, npairs, 1);
    w.nnotes = nnotes;
    w.base = (unsigned)(nnotes / npairs);
    w.extra = (unsigned)(nnotes % npairs);
    w.note_ids = calloc(nnotes, sizeof *w.note_ids);
    w.keys = sodium_malloc((size_t)npairs * 32);
    w.bodylen = bn_bench_body_len(size, &w.envlen);
    w.body = malloc(w.bodylen);
    if (!w.note_ids || !w.keys || !w.body)
        bw_die("memory", BN_ENOMEM);
    randombytes_buf(w.body, w.bodylen);
    for (uint64_t n = 0; n < nnotes; n++)
        w.note_ids[n] = bn_random_u64(); /* as a client makes them */
    fprintf(stderr,
            "bench_scale: %u pairs, %llu notes of %zu-byte envelopes, in %s "
            "(%u sealing threads)\n",
            npairs, (unsigned long long)nnotes, w.envlen, root, nth);

    double t0 = bn_bench_now_ms();
    bw.phase = "accounts";
    bw_build_accounts(&w.core, ic.token, "Bench admin", w.core.ida,
                      "Scale programme");
    bw.phase = "pairs";
    build_pairs(&w);
    double setup_s = (bn_bench_now_ms() - t0) / 1e3;
    dbsize base, full;
    measure_size(dir, &base, 0);
    fprintf(stderr, "bench_scale: setup in %.1f s; notes...\n", setup_s);
    bw.phase = "notes";
    double t1 = bn_bench_now_ms();
    build_notes(&w, chunk_reqs, nth);
    double notes_s = (bn_bench_now_ms() - t1) / 1e3;
    double build_s = (bn_bench_now_ms() - t0) / 1e3;
    printf("build: pairs=%u notes=%llu env_bytes=%zu setup_s=%.1f "
           "notes_s=%.1f notes_per_s=%.0f build_s=%.1f threads=%u "
           "pipeline=%u chunk=%u\n",
           npairs, (unsigned long long)nnotes, w.envlen, setup_s, notes_s,
           nnotes / notes_s, build_s, nth, bw.pipeline, chunk_reqs);
    fflush(stdout);

    bw.phase = "measures";
    measure_size(dir, &full, 1);
    double used = (double)full.last * full.psize;
    printf("disk: notes=%llu pairs=%u file_bytes=%lld alloc_bytes=%lld "
           "used_bytes=%.0f page_bytes=%zu last_pgno=%zu free_pages=%zu "
           "base_alloc_bytes=%lld bytes_per_note=%.0f "
           "marginal_bytes_per_note=%.0f env_bytes=%zu overhead=%.2f "
           "marginal_overhead=%.2f\n",
           (unsigned long long)nnotes, npairs, (long long)full.file,
           (long long)full.alloc, used, full.psize, full.last - 1, full.freepgs,
           (long long)base.alloc, (double)full.alloc / nnotes,
           (double)(full.alloc - base.alloc) / nnotes, w.envlen,
           (double)full.alloc / nnotes / w.envlen,
           (double)(full.alloc - base.alloc) / nnotes / w.envlen);
    fflush(stdout);

    read_pass(&w, "warm", nreads, w.core.mentors, NULL, mdb, cached_pct(mdb));
    measure_stats(&w, rounds);

    if (ncold > 0) {
        /* the server again on a data file out of the page cache; fresh
         * sessions log in as the mentors when first needed. LMDB does not
         * turn the kernel's readahead off: each page fault reads ahead,
         * so the pass warms the cache as it goes (cached_after_pct). */
        bw_client *readers = calloc(npairs, sizeof *readers);
        uint8_t *logged = calloc(npairs, 1);
        if (readers == NULL || logged == NULL)
            bw_die("memory", BN_ENOMEM);
        bnd_server_close(bw.srv);
        drop_cache(mdb);
        double cached = cached_pct(mdb);
        rc = bnd_server_open(&bw.srv, &cfg, &bw.loop);
        if (rc != 0)
            bw_die("server open", rc);
        read_pass(&w, "cold", ncold, readers, logged, mdb, cached);
        free(readers);
        free(logged);
    }

    bnd_server_close(bw.srv);
    uv_loop_close(&bw.loop);
    if (keep != NULL) {
        save_admin(&w, adm, &ic);
        printf("profile: dir=%s data=%s programme=%llu\n", adm, dir,
               (unsigned long long)w.core.prog);
    }
    bw_world_free(&w.core);
    sodium_free(w.keys);
    free(w.note_ids);
    free(w.body);
    if (keep == NULL)
        bn_testfs_rmtree(tmp);
    return 0;
}
