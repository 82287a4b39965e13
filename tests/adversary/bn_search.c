/*
 * bn_search: what a STOPPED binomed's data directory still holds of given
 * bytes (issue 15: after an account's erasure, its public keys, its name
 * and what it wrote). It reads data.mdb with the server's store code and
 * LMDB's own free list.
 *
 *   bn_search keys DATA ACCOUNT      the account's public keys as stored:
 *                                    "SIGN_PK_HEX BOX_PK_HEX"
 *   bn_search notes DATA PAIR        the middle 48 bytes of each note
 *                                    envelope of the pair, in hex, a line
 *                                    each (found only where it was copied)
 *   bn_search find DATA HEX...       for each needle (hex bytes) one line:
 *                                    "HEX live L free F file N": L the
 *                                    live records (keys and values of
 *                                    every database) holding it, F the
 *                                    pages on LMDB's free list holding
 *                                    it, N its occurrences anywhere in
 *                                    data.mdb (live pages' unused space
 *                                    included)
 *
 * Exit 0 when it could look, 1 when not, 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "bn_err.h"
#include "bn_proto.h"
#include "bnd_schema.h"
#include "bnd_store.h"

#define NEEDLES_MAX 16
#define NEEDLE_MAX 128

typedef struct needle {
    const char *hex;
    uint8_t b[NEEDLE_MAX];
    size_t len;
    uint64_t live, free, file;
} needle;

static void print_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
}

static size_t count_in(const uint8_t *hay, size_t len, const needle *nd)
{
    size_t n = 0;
    const uint8_t *p = hay, *end = hay + len;
    while (p < end) {
        const uint8_t *f = memmem(p, (size_t)(end - p), nd->b, nd->len);
        if (f == NULL)
            break;
        n++;
        p = f + 1;
    }
    return n;
}

static int cmd_keys(bnd_store *st, MDB_txn *txn, uint64_t account)
{
    void *arena = NULL;
    bn_rec_account a;
    int rc = bnd_rec_get(st, txn, bnd_key_accounts(account), &a, &arena);
    if (rc != 0)
        return rc;
    print_hex(a.sign_pk, 32);
    printf(" ");
    print_hex(a.box_pk, 32);
    printf("\n");
    bn_arena_free(&arena);
    return 0;
}

static int cmd_notes(bnd_store *st, MDB_txn *txn, uint64_t pair)
{
    bnd_key start = bnd_key_note_envs(pair, 0, 0);
    bnd_key prefix = bnd_key_prefix(start, 1);
    MDB_cursor *c;
    MDB_val k = bnd_key_val(&start), v;
    int rc = bnd_cursor_open(st, txn, start.db, &c);
    if (rc != 0)
        return rc;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && bnd_key_has_prefix(&k, &prefix)) {
        if (v.mv_size >= 96) {
            print_hex((const uint8_t *)v.mv_data + v.mv_size / 2 - 24, 48);
            printf("\n");
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : bnd_mdb_err(rc);
}

/* Every key and value of every database of BND_DBS. */
static int search_live(bnd_store *st, MDB_txn *txn, needle *nd, int n)
{
    for (int db = 0; db < BND_DB_COUNT; db++) {
        MDB_cursor *c;
        MDB_val k, v;
        int rc = bnd_cursor_open(st, txn, (enum bnd_db)db, &c);
        if (rc != 0)
            return rc;
        while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0)
            for (int i = 0; i < n; i++)
                nd[i].live += count_in(k.mv_data, k.mv_size, &nd[i]) +
                              count_in(v.mv_data, v.mv_size, &nd[i]);
        mdb_cursor_close(c);
        if (rc != MDB_NOTFOUND)
            return bnd_mdb_err(rc);
    }
    return 0;
}

/* The pages on LMDB's free list (database 0: values [count, pgno...]),
 * read from the file itself. */
static int search_free(const char *dir, const uint8_t *file, size_t size,
                       needle *nd, int n)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    MDB_stat ms;
    int rc = mdb_env_create(&env);

    if (rc != 0)
        return bnd_mdb_err(rc);
    mdb_env_set_maxdbs(env, 64);
    rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600);
    if (rc == 0)
        rc = mdb_env_stat(env, &ms);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc != 0) {
        mdb_env_close(env);
        return bnd_mdb_err(rc);
    }
    rc = mdb_cursor_open(txn, 0, &cur);
    while (rc == 0 && (rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
        const size_t *ids = v.mv_data; /* MDB_ID is size_t */
        for (size_t i = 1; i <= ids[0]; i++) {
            size_t off = ids[i] * ms.ms_psize;
            if (off + ms.ms_psize > size)
                continue;
            for (int j = 0; j < n; j++)
                nd[j].free += count_in(file + off, ms.ms_psize, &nd[j]);
        }
    }
    if (rc == 0 || rc == MDB_NOTFOUND) {
        mdb_cursor_close(cur);
        rc = 0;
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return bnd_mdb_err(rc);
}

static uint8_t *read_file(const char *dir, size_t *size)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = NULL;
    if (fstat(fileno(f), &sb) == 0 && sb.st_size > 0) {
        buf = malloc((size_t)sb.st_size);
        if (buf != NULL &&
            fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
            free(buf);
            buf = NULL;
        }
        *size = (size_t)sb.st_size;
    }
    fclose(f);
    return buf;
}

static int cmd_find(bnd_store *st, MDB_txn *txn, const char *dir, char **hex,
                    int n)
{
    needle nd[NEEDLES_MAX];
    size_t size = 0;
    uint8_t *file;
    int rc;

    if (n > NEEDLES_MAX)
        return BN_EINVAL;
    for (int i = 0; i < n; i++) {
        memset(&nd[i], 0, sizeof nd[i]);
        nd[i].hex = hex[i];
        if (sodium_hex2bin(nd[i].b, sizeof nd[i].b, hex[i], strlen(hex[i]),
                           NULL, &nd[i].len, NULL) != 0 ||
            nd[i].len == 0)
            return BN_EINVAL;
    }
    rc = search_live(st, txn, nd, n);
    if (rc != 0)
        return rc;
    file = read_file(dir, &size);
    if (file == NULL)
        return BN_EIO;
    rc = search_free(dir, file, size, nd, n);
    for (int i = 0; rc == 0 && i < n; i++) {
        nd[i].file = count_in(file, size, &nd[i]);
        printf("%s live %" PRIu64 " free %" PRIu64 " file %" PRIu64 "\n",
               nd[i].hex, nd[i].live, nd[i].free, nd[i].file);
    }
    free(file);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: bn_search keys DATA ACCOUNT\n"
                    "       bn_search notes DATA PAIR\n"
                    "       bn_search find DATA HEX...\n");
    return 2;
}

int main(int argc, char **argv)
{
    bnd_store_opts opts = {0};
    bnd_store *st = NULL;
    MDB_txn *txn = NULL;
    uint64_t id = 0;
    int rc;

    if (argc < 4 || sodium_init() < 0)
        return usage();
    if (strcmp(argv[1], "find") != 0) {
        char *end;
        if (argc != 4)
            return usage();
        id = strtoull(argv[3], &end, 10);
        if (*end != '\0' || id == 0)
            return usage();
    }
    rc = bnd_store_open(&st, argv[2], &opts);
    if (rc == 0)
        rc = bnd_store_read_begin(st, &txn);
    if (rc == 0) {
        if (strcmp(argv[1], "keys") == 0)
            rc = cmd_keys(st, txn, id);
        else if (strcmp(argv[1], "notes") == 0)
            rc = cmd_notes(st, txn, id);
        else if (strcmp(argv[1], "find") == 0)
            rc = cmd_find(st, txn, argv[2], argv + 3, argc - 3);
        else
            rc = 2;
        bnd_store_read_end(st, txn);
    }
    bnd_store_close(st);
    if (rc == 2)
        return usage();
    if (rc != 0) {
        fprintf(stderr, "bn_search: %s\n", bn_strerror(rc));
        return 1;
    }
    return 0;
}
