/*
 * bnd_audit_core.c: the auditor's checks on stored bytes (see the header):
 * envelope and chunk shape, nonce reuse, a randomness test, and the canary
 * scan of a directory, all filling one report.
 */
#include "bnd_audit_core.h"
#include "bn_text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/* ---- strings the wire accepts ------------------------------------------ */

/*
 * put_str copies src into dst (size bytes with the NUL): valid UTF-8 is
 * kept, control characters and invalid bytes become '?', and the copy
 * stops at a character boundary.
 */
static void put_str(char *dst, size_t size, const char *src)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    size_t n = strlen((const char *)s), o = 0;

    for (size_t i = 0; i < n;) {
        size_t k = bn_utf8_seq(s + i, n - i);
        if (k == 0 || (k == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
            if (o + 1 >= size)
                break;
            dst[o++] = '?';
            i++;
            continue;
        }
        if (o + k >= size)
            break;
        memcpy(dst + o, s + i, k);
        o += k;
        i += k;
    }
    dst[o] = '\0';
}

/* ---- the report ---------------------------------------------------------- */

void bnd_audit_report_init(bnd_audit_report *r, size_t max_findings)
{
    memset(r, 0, sizeof *r);
    r->max_findings = max_findings ? max_findings : BND_AUDIT_FINDINGS_MAX;
}

void bnd_audit_report_free(bnd_audit_report *r)
{
    if (r == NULL)
        return;
    free(r->findings);
    free(r->fields);
    r->findings = NULL;
    r->fields = NULL;
    r->nfindings = r->nfields = 0;
}

/* grow makes room for one more element in a malloc'd array holding n:
 * the capacity is 8, then the next power of two. */
static int grow(void **arr, size_t n, size_t sz)
{
    size_t cap;

    if (n == 0)
        cap = 8;
    else if (n >= 8 && (n & (n - 1)) == 0)
        cap = n * 2;
    else
        return 0;
    if (cap > SIZE_MAX / sz)
        return BN_ENOMEM;
    void *p = realloc(*arr, cap * sz);
    if (p == NULL)
        return BN_ENOMEM;
    *arr = p;
    return 0;
}

int bnd_audit_add_finding(bnd_audit_report *r, const char *code, const char *db,
                          const char *record, const char *fmt, ...)
{
    bnd_audit_finding *f;
    char detail[BND_AUDIT_DETAIL_MAX * 2];
    va_list ap;

    r->nfindings_total++;
    if (r->nfindings >= r->max_findings) {
        r->truncated = 1;
        return 0;
    }
    if (grow((void **)&r->findings, r->nfindings, sizeof *f) != 0)
        return BN_ENOMEM;
    f = &r->findings[r->nfindings++];
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    put_str(f->code, sizeof f->code, code);
    put_str(f->db, sizeof f->db, db);
    put_str(f->record, sizeof f->record, record);
    put_str(f->detail, sizeof f->detail, detail);
    return 0;
}

int bnd_audit_add_field(bnd_audit_report *r, const char *db, const char *field,
                        const char *kind)
{
    bnd_audit_field *f;

    if (grow((void **)&r->fields, r->nfields, sizeof *f) != 0)
        return BN_ENOMEM;
    f = &r->fields[r->nfields++];
    put_str(f->db, sizeof f->db, db);
    put_str(f->field, sizeof f->field, field);
    put_str(f->kind, sizeof f->kind, kind);
    return 0;
}

/* add_struct_at walks d's fields under a dotted prefix. */
static int add_struct_at(bnd_audit_report *r, const char *db,
                         const bn_struct_desc *d, const char *prefix, int depth)
{
    char name[BND_AUDIT_FIELD_MAX * 2];
    int rc = 0;

    if (depth > BN_MSG_MAX_DEPTH)
        return BN_EDEPTH;
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const bn_field_desc *fd = &d->fields[i];
        snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "",
                 fd->name);
        if ((fd->kind == BN_FK_OBJ || fd->kind == BN_FK_LIST) &&
            fd->elem != NULL)
            rc = add_struct_at(r, db, fd->elem, name, depth + 1);
        else
            rc = bnd_audit_add_field(
                r, db, name, fd->kind == BN_FK_ENV ? "ciphertext" : "clear");
    }
    return rc;
}

int bnd_audit_add_struct(bnd_audit_report *r, const char *db,
                         const bn_struct_desc *d)
{
    return add_struct_at(r, db, d, "", 0);
}

/* ---- randomness ------------------------------------------------------------
 */

/*
 * The test. For n bytes drawn uniformly, each of the 256 values is expected
 * E = n/256 times; Pearson's statistic X^2 = sum (O_v - E)^2 / E has mean
 * 255 and variance 510 (1 - 1/n), and tends to chi-square with 255 degrees
 * of freedom as n grows. Its tail is heaviest when E is smallest, so the
 * threshold is set for n = 256, the smallest size tested alone (E = 1; the
 * chi-square approximation is poor there, so the tail was computed
 * exactly, by dynamic programming over the multinomial distribution of the
 * 256 counts):
 *
 *     n = 256:  P(X^2 >= 420) = 1.9e-8, P(X^2 >= 460) = 1.0e-10,
 *               P(X^2 >= 500) = 9.1e-13, P(X^2 >= 600) = 4.4e-17
 *     n = 512:  P(X^2 >= 500) = 1.0e-14 (same method)
 *     n -> inf: chi-square(255), P(X^2 >= 500) ~ 1e-17 (Wilson-Hilferty:
 *               z = ((500/255)^(1/3) - 1 + 2/2295) / sqrt(2/2295) = 8.5)
 *
 * With the threshold at 500, a clean database of a billion ciphertexts
 * raises a false finding with probability about 1e-3; per record it is
 * below 1e-12, far under the 1e-6 asked.
 *
 * Text is nowhere near: for bytes with frequencies p_v, X^2 grows as
 * n (256 sum p_v^2 - 1). English or French prose (sum p^2 ~ 0.06) scores
 * about 15 n, i.e. ~4000 at n = 256; even base64 (64 symbols) scores 3 n =
 * 768 there, and hex 15 n. What the test cannot see is plaintext that
 * already looks random (compressed or encrypted by someone else), and one
 * small plaintext hidden in a large pool of small ciphertexts: the pool
 * test catches a database whose small records are mostly plaintext.
 */
static double chi2_counts(const uint64_t counts[256], uint64_t n)
{
    double e = (double)n / 256.0, x = 0;

    if (n == 0)
        return 0;
    for (int v = 0; v < 256; v++) {
        double d = (double)counts[v] - e;
        x += d * d;
    }
    return x / e;
}

static void count_bytes(uint64_t counts[256], const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        counts[p[i]]++;
}

double bnd_audit_chi2(const uint8_t *p, size_t n)
{
    uint64_t counts[256] = {0};
    count_bytes(counts, p, n);
    return chi2_counts(counts, n);
}

int bnd_audit_random_enough(const uint8_t *p, size_t n, double *chi2)
{
    double x = bnd_audit_chi2(p, n);
    if (chi2 != NULL)
        *chi2 = x;
    if (n < BND_AUDIT_CHI2_MIN)
        return -1;
    return x <= BND_AUDIT_CHI2_THRESHOLD;
}

int bnd_audit_chunk_ok(size_t len)
{
    return len >= crypto_secretstream_xchacha20poly1305_ABYTES;
}

/* ---- hash sets -------------------------------------------------------------
 */

/*
 * A set of fixed-size keys with a 32-bit value, open addressing, keyed
 * SipHash (crypto_shorthash) so that stored bytes chosen by a client
 * cannot make the table degenerate.
 */
typedef struct aset {
    uint8_t *slots; /* cap slots of 1 + ksz + 4 bytes: used, key, value */
    size_t cap, n, ksz;
    uint8_t hkey[crypto_shorthash_KEYBYTES];
} aset;

static size_t aset_slot(const aset *s)
{
    return 1 + s->ksz + 4;
}

static size_t aset_hash(const aset *s, const uint8_t *key)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v;
    crypto_shorthash(h, key, s->ksz, s->hkey);
    memcpy(&v, h, sizeof v);
    return (size_t)v;
}

/* aset_find returns the slot of key, or the empty slot where it goes. */
static uint8_t *aset_find(const aset *s, const uint8_t *key)
{
    size_t i = aset_hash(s, key) & (s->cap - 1);
    for (;;) {
        uint8_t *slot = s->slots + i * aset_slot(s);
        if (!slot[0] || memcmp(slot + 1, key, s->ksz) == 0)
            return slot;
        i = (i + 1) & (s->cap - 1);
    }
}

static int aset_grow(aset *s)
{
    aset bigger = *s;
    bigger.cap = s->cap ? s->cap * 2 : 1024;
    bigger.slots = calloc(bigger.cap, aset_slot(s));
    if (bigger.slots == NULL)
        return BN_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        const uint8_t *old = s->slots + i * aset_slot(s);
        if (old[0])
            memcpy(aset_find(&bigger, old + 1), old, aset_slot(s));
    }
    free(s->slots);
    *s = bigger;
    return 0;
}

/*
 * aset_put looks key up: when present, *value gets its value and 1 is
 * returned; else it is inserted with *value and 0 returned. BN_ENOMEM.
 */
static int aset_put(aset *s, const uint8_t *key, uint32_t *value)
{
    uint8_t *slot;

    if ((s->n + 1) * 4 > s->cap * 3) {
        int rc = aset_grow(s);
        if (rc != 0)
            return rc;
    }
    slot = aset_find(s, key);
    if (slot[0]) {
        memcpy(value, slot + 1 + s->ksz, 4);
        return 1;
    }
    slot[0] = 1;
    memcpy(slot + 1, key, s->ksz);
    memcpy(slot + 1 + s->ksz, value, 4);
    s->n++;
    return 0;
}

/* ---- the running audit -------------------------------------------------- */

#define POOLS_MAX 32

typedef struct pool {
    char db[BND_AUDIT_DB_MAX + 1];
    uint64_t counts[256];
    uint64_t bytes;
    uint64_t items;
} pool;

struct bnd_audit {
    bnd_audit_report *r;
    aset records; /* BLAKE2b-128 of "db\0record" */
    aset nonces;  /* nonce -> offset of "db/record" in names */
    char *names;  /* NUL-separated record names */
    size_t names_len, names_cap;
    pool pools[POOLS_MAX];
    size_t npools;
    const bnd_audit_canary *canaries; /* bnd_audit_search */
    size_t ncanaries;
    uint8_t *found;
};

int bnd_audit_new(bnd_audit **out, bnd_audit_report *r)
{
    bnd_audit *a = calloc(1, sizeof *a);

    *out = NULL;
    if (a == NULL)
        return BN_ENOMEM;
    a->r = r;
    a->records.ksz = 16;
    a->nonces.ksz = BN_NONCE_BYTES;
    randombytes_buf(a->records.hkey, sizeof a->records.hkey);
    randombytes_buf(a->nonces.hkey, sizeof a->nonces.hkey);
    *out = a;
    return 0;
}

void bnd_audit_free(bnd_audit *a)
{
    if (a == NULL)
        return;
    free(a->records.slots);
    free(a->nonces.slots);
    free(a->names);
    free(a);
}

int bnd_audit_search(bnd_audit *a, const bnd_audit_canary *c, size_t n,
                     uint8_t *found)
{
    if (n > BN_AUDIT_CANARIES_MAX || (n > 0 && (c == NULL || found == NULL)))
        return BN_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (bn_audit_canary_check(c[i].bytes, c[i].len) != 0)
            return BN_EINVAL;
    if (n > 0)
        memset(found, 0, n);
    a->canaries = c;
    a->ncanaries = n;
    a->found = found;
    return 0;
}

/* search marks the canaries that the ciphertext p[0..n) holds. */
static void search(bnd_audit *a, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < a->ncanaries; i++)
        if (!a->found[i] &&
            memmem(p, n, a->canaries[i].bytes, a->canaries[i].len) != NULL)
            a->found[i] = 1;
}

/* first_sight returns 1 the first time (db, record) is fed, else 0. */
static int first_sight(bnd_audit *a, const char *db, const char *record)
{
    crypto_generichash_state st;
    uint8_t h[16];
    uint32_t v = 0;
    int rc;

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)db, strlen(db) + 1);
    crypto_generichash_update(&st, (const uint8_t *)record, strlen(record));
    crypto_generichash_final(&st, h, sizeof h);
    rc = aset_put(&a->records, h, &v);
    if (rc < 0)
        return rc;
    if (rc == 0)
        a->r->records++;
    return rc == 0;
}

/* name_add stores "db/record" and returns its offset through *off. */
static int name_add(bnd_audit *a, const char *db, const char *record,
                    uint32_t *off)
{
    size_t need = strlen(db) + 1 + strlen(record) + 1;

    if (a->names_len + need > UINT32_MAX)
        return BN_ENOMEM;
    if (a->names_len + need > a->names_cap) {
        size_t cap = a->names_cap ? a->names_cap * 2 : 65536;
        while (cap < a->names_len + need)
            cap *= 2;
        char *p = realloc(a->names, cap);
        if (p == NULL)
            return BN_ENOMEM;
        a->names = p;
        a->names_cap = cap;
    }
    *off = (uint32_t)a->names_len;
    a->names_len +=
        (size_t)sprintf(a->names + a->names_len, "%s/%s", db, record) + 1;
    return 0;
}

/* randomness tests bytes alone when long enough, else pools them. */
static int randomness(bnd_audit *a, const char *db, const char *record,
                      const uint8_t *p, size_t n)
{
    double x;
    pool *pl = NULL;

    if (n >= BND_AUDIT_CHI2_MIN) {
        if (bnd_audit_random_enough(p, n, &x) == 0)
            return bnd_audit_add_finding(
                a->r, BND_AUDIT_NOT_RANDOM, db, record,
                "%zu bytes do not look like ciphertext: byte-frequency "
                "chi-square %.0f > %.0f (255 degrees of freedom)",
                n, x, BND_AUDIT_CHI2_THRESHOLD);
        return 0;
    }
    for (size_t i = 0; i < a->npools; i++)
        if (strncmp(a->pools[i].db, db, BND_AUDIT_DB_MAX) == 0)
            pl = &a->pools[i];
    if (pl == NULL) {
        /* Past POOLS_MAX databases the last pool takes the rest. */
        pl = &a->pools[a->npools < POOLS_MAX ? a->npools++ : POOLS_MAX - 1];
        if (pl->db[0] == '\0')
            put_str(pl->db, sizeof pl->db, db);
    }
    count_bytes(pl->counts, p, n);
    pl->bytes += n;
    pl->items++;
    return 0;
}

int bnd_audit_envelope(bnd_audit *a, const char *db, const char *record,
                       const uint8_t *env, size_t len)
{
    uint32_t off;
    int rc;

    rc = first_sight(a, db, record);
    if (rc <= 0)
        return rc;
    a->r->envelopes++;
    a->r->cipher_bytes += len;
    search(a, env, len);
    rc = bn_envelope_check(env, len);
    if (rc != 0)
        return bnd_audit_add_finding(
            a->r, BND_AUDIT_MALFORMED, db, record,
            "%zu bytes are not a well-formed envelope (%s; at least %u "
            "bytes, version 1 or %u)",
            len, bn_err_name(rc), (unsigned)BN_ENVELOPE_MIN_BYTES,
            (unsigned)BN_ENVELOPE_VERSION);
    rc = name_add(a, db, record, &off);
    if (rc != 0)
        return rc;
    rc = aset_put(&a->nonces, env + 5, &off);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        char hex[2 * 8 + 1];
        bn_hex_encode(hex, env + 5, 8);
        rc = bnd_audit_add_finding(a->r, BND_AUDIT_NONCE_REUSE, db, record,
                                   "nonce %s... is also used by %s", hex,
                                   a->names + off);
        if (rc != 0)
            return rc;
    }
    return randomness(a, db, record, env + BN_ENVELOPE_HEADER_BYTES,
                      len - BN_ENVELOPE_HEADER_BYTES);
}

int bnd_audit_chunk(bnd_audit *a, const char *db, const char *record,
                    const uint8_t *chunk, size_t len)
{
    int rc = first_sight(a, db, record);
    if (rc <= 0)
        return rc;
    a->r->envelopes++;
    a->r->cipher_bytes += len;
    search(a, chunk, len);
    if (!bnd_audit_chunk_ok(len))
        return bnd_audit_add_finding(
            a->r, BND_AUDIT_MALFORMED, db, record,
            "%zu bytes are too short for a document chunk (at least %u)", len,
            crypto_secretstream_xchacha20poly1305_ABYTES);
    return randomness(a, db, record, chunk, len);
}

/* A wrap is version(1) epoch(4) ephemeral pk(32) sealed key and tag(48)
 * signature(64): only the 48 bytes are uniformly random. */
#define WRAP_RANDOM_OFF (1 + 4 + crypto_box_PUBLICKEYBYTES)
#define WRAP_RANDOM_LEN (crypto_box_SEALBYTES - crypto_box_PUBLICKEYBYTES + 32)

int bnd_audit_wrap(bnd_audit *a, const char *db, const char *record,
                   const uint8_t *wrap, size_t len)
{
    int rc = first_sight(a, db, record);
    if (rc <= 0)
        return rc;
    a->r->envelopes++;
    a->r->cipher_bytes += len;
    search(a, wrap, len);
    if (len != BN_WRAP_BYTES || wrap[0] != 1)
        return bnd_audit_add_finding(
            a->r, BND_AUDIT_MALFORMED, db, record,
            "%zu bytes (version %u) are not a wrapped pair key (%u bytes, "
            "version 1)",
            len, len > 0 ? (unsigned)wrap[0] : 0u, (unsigned)BN_WRAP_BYTES);
    return randomness(a, db, record, wrap + WRAP_RANDOM_OFF, WRAP_RANDOM_LEN);
}

int bnd_audit_finish(bnd_audit *a)
{
    for (size_t i = 0; i < a->npools; i++) {
        const pool *pl = &a->pools[i];
        double x = chi2_counts(pl->counts, pl->bytes);
        if (pl->bytes < BND_AUDIT_CHI2_MIN || x <= BND_AUDIT_CHI2_THRESHOLD)
            continue;
        int rc = bnd_audit_add_finding(
            a->r, BND_AUDIT_NOT_RANDOM, pl->db, "(small records pooled)",
            "%" PRIu64 " small ciphertexts (%" PRIu64 " bytes together) do "
            "not look like ciphertext: chi-square %.0f > %.0f",
            pl->items, pl->bytes, x, BND_AUDIT_CHI2_THRESHOLD);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- canaries -------------------------------------------------------------
 */

static int check_canaries(const bnd_audit_canary *c, size_t n, size_t *maxlen)
{
    *maxlen = 1;
    for (size_t i = 0; i < n; i++) {
        if (c[i].bytes == NULL || c[i].len == 0 ||
            c[i].len > BND_AUDIT_CANARY_MAX)
            return BN_EINVAL;
        if (c[i].len > *maxlen)
            *maxlen = c[i].len;
    }
    return 0;
}

int bnd_audit_scan_file(const char *path, const bnd_audit_canary *c, size_t n,
                        uint8_t *found)
{
    size_t maxlen, carry = 0, left = n;
    uint8_t *buf;
    int fd, rc;

    rc = check_canaries(c, n, &maxlen);
    if (rc != 0)
        return rc;
    memset(found, 0, n);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    buf = malloc(BND_AUDIT_SCAN_BLOCK + maxlen);
    if (buf == NULL) {
        close(fd);
        return BN_ENOMEM;
    }
    while (left > 0) {
        ssize_t got = read(fd, buf + carry, BND_AUDIT_SCAN_BLOCK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            break;
        }
        if (got == 0)
            break;
        size_t total = carry + (size_t)got;
        for (size_t i = 0; i < n; i++)
            if (!found[i] && memmem(buf, total, c[i].bytes, c[i].len)) {
                found[i] = 1;
                left--;
            }
        /* Keep the tail a canary may continue from in the next block. */
        carry = total < maxlen - 1 ? total : maxlen - 1;
        memmove(buf, buf + total - carry, carry);
    }
    free(buf);
    close(fd);
    return rc;
}

/* canary_label writes a printable excerpt of a canary for a finding. */
static void canary_label(char *out, size_t size, const bnd_audit_canary *c)
{
    size_t o = 0;
    for (size_t i = 0; i < c->len && o + 5 < size && i < 40; i++) {
        uint8_t b = c->bytes[i];
        out[o++] = (b >= 0x20 && b < 0x7f && b != '"') ? (char)b : '.';
    }
    if (c->len > 40 && o + 4 < size)
        o += (size_t)snprintf(out + o, size - o, "...");
    out[o] = '\0';
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

typedef struct scan {
    bnd_audit_report *r;
    const bnd_audit_canary *c;
    size_t n;
    uint8_t *found;
    char path[PATH_MAX];
    size_t root_len;
} scan;

/* scan_at scans s->path (a directory), recursively, in name order. */
static int scan_at(scan *s, int depth)
{
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t nn = 0, base = strlen(s->path);
    int rc = 0;

    if (depth > 64)
        return bnd_audit_add_finding(s->r, "unreadable", "disk",
                                     s->path + s->root_len,
                                     "directory nested too deep; skipped");
    d = opendir(s->path);
    if (d == NULL)
        return depth == 0 ? -errno
                          : bnd_audit_add_finding(s->r, "unreadable", "disk",
                                                  s->path + s->root_len,
                                                  "cannot open directory: %s",
                                                  strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *copy = strdup(e->d_name);
        if (copy == NULL || grow((void **)&names, nn, sizeof *names) != 0) {
            free(copy);
            rc = BN_ENOMEM;
            break;
        }
        names[nn++] = copy;
    }
    closedir(d);
    if (rc == 0 && nn > 1)
        qsort(names, nn, sizeof *names, cmp_names);
    for (size_t i = 0; i < nn && rc == 0; i++) {
        struct stat st;
        if (base + 1 + strlen(names[i]) >= sizeof s->path)
            continue;
        snprintf(s->path + base, sizeof s->path - base, "/%s", names[i]);
        const char *rel = s->path + s->root_len + 1;
        if (lstat(s->path, &st) != 0) {
            rc = bnd_audit_add_finding(s->r, "unreadable", "disk", rel,
                                       "cannot stat: %s", strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = scan_at(s, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            s->r->files++;
            int frc = bnd_audit_scan_file(s->path, s->c, s->n, s->found);
            if (frc == BN_ENOMEM)
                rc = frc;
            else if (frc != 0)
                rc = bnd_audit_add_finding(s->r, "unreadable", "disk", rel,
                                           "cannot read: %s", strerror(-frc));
            for (size_t k = 0; k < s->n && frc == 0 && rc == 0; k++) {
                char label[64];
                if (!s->found[k])
                    continue;
                canary_label(label, sizeof label, &s->c[k]);
                rc = bnd_audit_add_finding(
                    s->r, BND_AUDIT_CANARY, "disk", rel,
                    "plaintext canary #%zu (\"%s\", %zu bytes) is in this "
                    "file",
                    k + 1, label, s->c[k].len);
            }
        }
        s->path[base] = '\0';
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return rc;
}

int bnd_audit_scan_dir(bnd_audit_report *r, const char *dir,
                       const bnd_audit_canary *c, size_t n)
{
    scan *s;
    size_t maxlen;
    int rc = check_canaries(c, n, &maxlen);

    if (rc != 0)
        return rc;
    if (strlen(dir) + 2 >= PATH_MAX)
        return BN_EINVAL;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return BN_ENOMEM;
    s->found = calloc(n ? n : 1, 1);
    if (s->found == NULL) {
        free(s);
        return BN_ENOMEM;
    }
    s->r = r;
    s->c = c;
    s->n = n;
    snprintf(s->path, sizeof s->path, "%s", dir);
    s->root_len = strlen(s->path);
    rc = scan_at(s, 0);
    free(s->found);
    free(s);
    return rc;
}

/* ---- output -------------------------------------------------------------- */

/* json_str writes s as a JSON string (bn_json_str: every byte escaped as
 * JSON needs, though put_str already made it clean UTF-8). */
static void json_str(FILE *f, const char *s)
{
    bn_buf b = {0};
    if (bn_json_str(&b, s, strlen(s)) == 0)
        fwrite(b.data, 1, b.len, f);
    bn_buf_free(&b);
}

int bnd_audit_report_write_text(FILE *f, const bnd_audit_report *r)
{
    fprintf(f,
            "records with ciphertext  %" PRIu64 "\n"
            "envelopes and chunks     %" PRIu64 "\n"
            "ciphertext bytes         %" PRIu64 "\n"
            "files scanned            %" PRIu64 "\n",
            r->records, r->envelopes, r->cipher_bytes, r->files);
    if (r->nfields > 0) {
        fprintf(f, "\nwhat the server stores (clear: it can read it)\n");
        fprintf(f, "  %-16s %-32s %s\n", "DATABASE", "FIELD", "KIND");
        for (size_t i = 0; i < r->nfields; i++)
            fprintf(f, "  %-16s %-32s %s\n", r->fields[i].db,
                    r->fields[i].field, r->fields[i].kind);
    }
    if (r->nfindings_total == 0) {
        fprintf(f, "\nno finding: every ciphertext is well formed, no "
                   "nonce repeats, no plaintext found\n");
    } else {
        fprintf(f, "\n%" PRIu64 " finding%s%s\n", r->nfindings_total,
                r->nfindings_total == 1 ? "" : "s",
                r->truncated ? " (only the first are listed)" : "");
        for (size_t i = 0; i < r->nfindings; i++)
            fprintf(f, "  %-12s %s %s: %s\n", r->findings[i].code,
                    r->findings[i].db, r->findings[i].record,
                    r->findings[i].detail);
    }
    return ferror(f) ? BN_EIO : 0;
}

int bnd_audit_report_write_json(FILE *f, const bnd_audit_report *r)
{
    fprintf(f,
            "{\"records\":%" PRIu64 ",\"envelopes\":%" PRIu64
            ",\"cipher_bytes\":%" PRIu64 ",\"files\":%" PRIu64
            ",\"findings_total\":%" PRIu64 ",\"truncated\":%s,\"fields\":[",
            r->records, r->envelopes, r->cipher_bytes, r->files,
            r->nfindings_total, r->truncated ? "true" : "false");
    for (size_t i = 0; i < r->nfields; i++) {
        fprintf(f, "%s{\"db\":", i ? "," : "");
        json_str(f, r->fields[i].db);
        fprintf(f, ",\"field\":");
        json_str(f, r->fields[i].field);
        fprintf(f, ",\"kind\":");
        json_str(f, r->fields[i].kind);
        fputc('}', f);
    }
    fprintf(f, "],\"findings\":[");
    for (size_t i = 0; i < r->nfindings; i++) {
        fprintf(f, "%s{\"code\":", i ? "," : "");
        json_str(f, r->findings[i].code);
        fprintf(f, ",\"db\":");
        json_str(f, r->findings[i].db);
        fprintf(f, ",\"record\":");
        json_str(f, r->findings[i].record);
        fprintf(f, ",\"detail\":");
        json_str(f, r->findings[i].detail);
        fputc('}', f);
    }
    fprintf(f, "]}\n");
    return ferror(f) ? BN_EIO : 0;
}
