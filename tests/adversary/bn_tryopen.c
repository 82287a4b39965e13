/*
 * bn_tryopen: what a person can open of a pair with their own keys and
 * the server's files, and nothing else (issue 14: a member removed from a
 * pairing cannot read what was written after, even with the data
 * directory in hand). It reads a STOPPED binomed's data directory with
 * the server's store code, unwraps every key wrap of the pair addressed to
 * the account with the account's own key file, then tries every key it
 * got on every shared note revision of the pair.
 *
 *   BINOME_PASSPHRASE=... bn_tryopen DATA KEYFILE ACCOUNT PAIR
 *
 * One line per key held ("key epoch E"), then one per note revision:
 * "note N rev R epoch E: opened" or "note N rev R epoch E: sealed (K keys
 * tried)". Private notes are the author's alone and are skipped. Exit 0
 * when it could look, 1 when not, 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bn_crypto.h"
#include "bn_err.h"
#include "bn_proto.h"
#include "bnd_schema.h"
#include "bnd_store.h"

#define KEYS_MAX 512

typedef struct held {
    uint32_t epoch[KEYS_MAX];
    uint8_t (*key)[32]; /* sodium_malloc'd, KEYS_MAX of them */
    size_t n;
} held;

typedef struct run {
    bnd_store *st;
    MDB_txn *txn;
    void *arena;
    uint64_t me, pair;
    bn_identity id;
    held h;
} run;

/* walk calls fn on every record under prefix first (pparts parts). */
static int walk(run *r, bnd_key first, unsigned pparts,
                int (*fn)(run *r, const MDB_val *k, const MDB_val *v))
{
    MDB_cursor *cur = NULL;
    bnd_key pre = bnd_key_prefix(first, pparts);
    MDB_val k = bnd_key_val(&first), v;
    int rc = bnd_cursor_open(r->st, r->txn, first.db, &cur);

    if (rc != 0)
        return rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (!bnd_key_has_prefix(&k, &pre))
            break;
        int frc = fn(r, &k, &v);
        if (frc != 0) {
            mdb_cursor_close(cur);
            return frc;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : bnd_mdb_err(rc);
}

/* one_wrap: a wrap addressed to this account, opened with its own key. */
static int one_wrap(run *r, const MDB_val *k, const MDB_val *v)
{
    bn_rec_wrap w;
    bn_rec_account wrapper;
    int rc;

    (void)k;
    rc = bnd_rec_decode(v, &bn_desc_rec_wrap, &w, &r->arena);
    if (rc != 0 || w.member_id != r->me || r->h.n == KEYS_MAX)
        return rc;
    rc = bnd_rec_get(r->st, r->txn, bnd_key_accounts(w.wrapper_id), &wrapper,
                     &r->arena);
    if (rc != 0)
        return 0;
    if (bn_pairkey_unwrap(r->h.key[r->h.n], w.wrap, sizeof w.wrap, r->pair,
                          w.epoch, r->me, r->id.box_pk, r->id.box_sk,
                          w.wrapper_id, wrapper.sign_pk) == 0) {
        r->h.epoch[r->h.n++] = w.epoch;
        printf("key epoch %" PRIu32 "\n", w.epoch);
    }
    return 0;
}

/* one_note: every key held, tried on a shared note revision. */
static int one_note(run *r, const MDB_val *k, const MDB_val *v)
{
    bn_rec_note n;
    bn_rec_note_env env;
    bn_rec_account author;
    bn_note_ad ad;
    int rc, opened = 0;

    (void)k;
    rc = bnd_rec_decode(v, &bn_desc_rec_note, &n, &r->arena);
    if (rc != 0 || n.is_private)
        return rc;
    rc = bnd_rec_get(r->st, r->txn,
                     bnd_key_note_envs(r->pair, n.note_id, n.revision), &env,
                     &r->arena);
    if (rc == 0)
        rc = bnd_rec_get(r->st, r->txn, bnd_key_accounts(n.author_id), &author,
                         &r->arena);
    if (rc != 0)
        return 0; /* erased: nothing to try */
    memset(&ad, 0, sizeof ad);
    ad.pair_id = r->pair;
    ad.note_id = n.note_id;
    ad.revision = n.revision;
    ad.author_id = n.author_id;
    ad.kind = n.kind;
    ad.session_id = n.session_id;
    for (size_t i = 0; i < r->h.n && !opened; i++) {
        uint8_t *pt = NULL;
        size_t ptlen = 0;
        if (bn_envelope_open(&pt, &ptlen, r->h.key[i], &ad, env.envelope.ptr,
                             env.envelope.len, author.sign_pk) == 0) {
            opened = 1;
            sodium_free(pt); /* never printed */
        }
    }
    if (opened)
        printf("note %016" PRIx64 " rev %" PRIu32 " epoch %" PRIu32
               ": opened\n",
               n.note_id, n.revision, n.epoch);
    else
        printf("note %016" PRIx64 " rev %" PRIu32 " epoch %" PRIu32
               ": sealed (%zu keys tried)\n",
               n.note_id, n.revision, n.epoch, r->h.n);
    return 0;
}

int main(int argc, char **argv)
{
    const char *pass = getenv("BINOME_PASSPHRASE");
    bnd_store_opts o = {0, 0, 0, 0};
    run r;
    int rc;

    if (argc != 5 || pass == NULL) {
        fprintf(stderr, "usage: BINOME_PASSPHRASE=... bn_tryopen DATA KEYFILE "
                        "ACCOUNT PAIR\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    memset(&r, 0, sizeof r);
    r.me = strtoull(argv[3], NULL, 10);
    r.pair = strtoull(argv[4], NULL, 10);
    r.h.key = sodium_malloc(KEYS_MAX * sizeof *r.h.key);
    if (r.h.key == NULL)
        return 1;
    rc = bn_identity_load(&r.id, argv[2], pass, strlen(pass));
    if (rc != 0) {
        fprintf(stderr, "bn_tryopen: %s: %s\n", argv[2], bn_strerror(rc));
        return 1;
    }
    rc = bnd_store_open(&r.st, argv[1], &o);
    if (rc == 0)
        rc = bnd_store_read_begin(r.st, &r.txn);
    if (rc != 0) {
        fprintf(stderr, "bn_tryopen: %s: %s\n", argv[1], bn_strerror(rc));
        return 1;
    }
    rc = walk(&r, bnd_key_wraps(r.pair, 0, 0), 1, one_wrap);
    if (rc == 0)
        rc = walk(&r, bnd_key_notes(r.pair, 0, 0), 1, one_note);
    bnd_store_read_end(r.st, r.txn);
    bnd_store_close(r.st);
    bn_arena_free(&r.arena);
    sodium_memzero(&r.id, sizeof r.id);
    sodium_free(r.h.key);
    if (rc != 0)
        fprintf(stderr, "bn_tryopen: %s\n", bn_strerror(rc));
    return rc == 0 ? 0 : 1;
}
