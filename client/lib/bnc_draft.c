/*
 * bnc_draft.c: drafts, the texts a member wrote that are not sent yet,
 * kept in the profile until they are (binome.h, "Drafts").
 *
 * A draft is the file drafts/ID (ID: 16 hex digits), mode 0600, in a
 * directory made 0700, written with bn_file_write_atomic: a crash leaves
 * the old draft or the new one, never half of one. Its content is a
 * bn_draftbox (crypto/bn_draftbox.c: XChaCha20-Poly1305 under a key
 * derived from the identity's self_key) with associated data
 *
 *   "binome draft v1" (15 ASCII bytes) || account_id (8) || draft id (8)
 *
 * so that a draft copied to another name or into another account's
 * profile does not open. The plaintext (integers big-endian):
 *
 *   offset size  field
 *   0      1     version = 1
 *   1      1     action (enum bnc_draft_action)
 *   2      1     note kind
 *   3      1     private flag (0; 1 private; 2 kept to the author's
 *                 side of a team pairing, issue 14)
 *   4      8     draft id
 *   12     8     pair id
 *   20     8     note id
 *   28     8     session id
 *   36     4     revision
 *   40     4     date (day number)
 *   44     8     created (unix seconds)
 *   52     4     text length L
 *   56     L     text
 *   56+L   ...   zeros up to bn_padme_len(56 + L) bytes in all
 *
 * Every field is checked on reading, and the padding must be zeros.
 */
#include "bnc_internal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DRAFT_VERSION 1
#define HEAD_BYTES 56
#define AD_LABEL "binome draft v1"
#define AD_LABEL_BYTES 15
#define AD_BYTES (AD_LABEL_BYTES + 16)
#define FILE_MAX                                                               \
    (BN_DRAFTBOX_OVERHEAD + HEAD_BYTES + BNC_NOTE_MAX_PLAINTEXT + 64 * 1024)

/* make_ad writes the associated data of draft id for account. */
static void make_ad(uint8_t ad[AD_BYTES], uint64_t account, uint64_t id)
{
    memcpy(ad, AD_LABEL, AD_LABEL_BYTES);
    bn_put_be64(ad + AD_LABEL_BYTES, account);
    bn_put_be64(ad + AD_LABEL_BYTES + 8, id);
}

int bnc_draft_path(const bnc_profile *p, uint64_t id, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/drafts/%016" PRIx64, p->dir, id);
    return (n < 0 || (size_t)n >= size) ? BN_EINVAL : 0;
}

int bnc_draft_set_text(bnc_draft *d, const uint8_t *text, size_t len)
{
    uint8_t *t;

    if (len == 0 || len > BNC_NOTE_MAX_PLAINTEXT)
        return BN_EINVAL;
    t = sodium_malloc(len);
    if (t == NULL)
        return BN_ENOMEM;
    memcpy(t, text, len);
    if (d->text != NULL) {
        sodium_memzero(d->text, d->len);
        sodium_free(d->text);
    }
    d->text = t;
    d->len = len;
    return 0;
}

void bnc_draft_clear(bnc_draft *d)
{
    if (d == NULL)
        return;
    if (d->text != NULL) {
        sodium_memzero(d->text, d->len);
        sodium_free(d->text);
    }
    memset(d, 0, sizeof *d);
}

/* valid says whether d's fields make a draft that can be sent. */
static int valid(const bnc_draft *d)
{
    if (d->text == NULL || d->len == 0 || d->len > BNC_NOTE_MAX_PLAINTEXT ||
        d->pair_id == 0 || d->is_private > 2)
        return 0;
    switch (d->action) {
    case BNC_DRAFT_NOTE_ADD:
    case BNC_DRAFT_NOTE_EDIT:
        return d->kind >= 1 && d->kind <= BN_KIND_MAX;
    case BNC_DRAFT_OBJECTIVE_ADD:
        return d->len <= BNC_OBJECTIVE_TEXT_MAX && d->date != 0;
    case BNC_DRAFT_OBJECTIVE_EDIT:
        return d->len <= BNC_OBJECTIVE_TEXT_MAX && d->date != 0 &&
               d->note_id != 0;
    default:
        return 0;
    }
}

/* seal_to seals d into path under ad, its id field idfield. */
static int seal_to(const bnc_profile *p, const char *path, const uint8_t *ad,
                   size_t adlen, const bnc_draft *d, uint64_t idfield,
                   uint32_t revision)
{
    uint8_t *pt = NULL, *box = NULL;
    size_t ptlen = 0, boxlen = 0;
    int rc;

    ptlen = bn_padme_len(HEAD_BYTES + d->len);
    pt = sodium_malloc(ptlen);
    if (pt == NULL)
        return BN_ENOMEM;
    memset(pt, 0, ptlen);
    pt[0] = DRAFT_VERSION;
    pt[1] = d->action;
    pt[2] = d->kind;
    pt[3] = d->is_private;
    bn_put_be64(pt + 4, idfield);
    bn_put_be64(pt + 12, d->pair_id);
    bn_put_be64(pt + 20, d->note_id);
    bn_put_be64(pt + 28, d->session_id);
    bn_put_be32(pt + 36, revision);
    bn_put_be32(pt + 40, d->date);
    bn_put_be64(pt + 44, (uint64_t)d->created);
    bn_put_be32(pt + 52, (uint32_t)d->len);
    memcpy(pt + HEAD_BYTES, d->text, d->len);
    rc = bn_draftbox_seal(&box, &boxlen, p->id->self_key, ad, adlen, pt, ptlen);
    if (rc == 0)
        rc = bn_file_write_atomic(path, box, boxlen, 0600);
    sodium_memzero(pt, ptlen);
    sodium_free(pt);
    free(box);
    return rc;
}

int bnc_draft_save(const bnc_profile *p, bnc_draft *d)
{
    char path[BNC_PATH_MAX + 32];
    uint8_t ad[AD_BYTES];
    int rc;

    if (p->id == NULL || p->account_id == 0 || !valid(d))
        return BN_EINVAL;
    if (d->id == 0) {
        d->id = bn_random_u64();
        d->created = bn_now();
        if (d->action == BNC_DRAFT_NOTE_ADD && d->note_id == 0)
            d->note_id = bn_random_u64();
    }
    rc = bnc_profile_path(p, path, sizeof path, "drafts");
    if (rc == 0)
        rc = bnc__mkdir_private(path);
    if (rc == 0)
        rc = bnc_draft_path(p, d->id, path, sizeof path);
    if (rc != 0)
        return rc;
    make_ad(ad, p->account_id, d->id);
    return seal_to(p, path, ad, sizeof ad, d, d->id, d->revision);
}

/* read_file reads path (at most FILE_MAX bytes) into a malloc'd buffer. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t n;

    *out = NULL;
    if (f == NULL)
        return errno == ENOENT ? BN_ENOTFOUND : -errno;
    buf = malloc(FILE_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return BN_ENOMEM;
    }
    n = fread(buf, 1, FILE_MAX + 1, f);
    if (ferror(f) || n > FILE_MAX) {
        fclose(f);
        free(buf);
        return n > FILE_MAX ? BN_ECORRUPT : BN_EIO;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return 0;
}

/* parse fills out from the opened plaintext of draft id. */
static int parse(const uint8_t *pt, size_t ptlen, uint64_t id, bnc_draft *out)
{
    bnc_draft d = {0};
    size_t len;
    int rc;

    if (ptlen < HEAD_BYTES || pt[0] != DRAFT_VERSION)
        return BN_ECORRUPT;
    len = bn_get_be32(pt + 52);
    if (len > ptlen - HEAD_BYTES || bn_get_be64(pt + 4) != id)
        return BN_ECORRUPT;
    for (size_t i = HEAD_BYTES + len; i < ptlen; i++)
        if (pt[i] != 0)
            return BN_ECORRUPT;
    d.id = id;
    d.action = pt[1];
    d.kind = pt[2];
    d.is_private = pt[3];
    d.pair_id = bn_get_be64(pt + 12);
    d.note_id = bn_get_be64(pt + 20);
    d.session_id = bn_get_be64(pt + 28);
    d.revision = bn_get_be32(pt + 36);
    d.date = bn_get_be32(pt + 40);
    d.created = (int64_t)bn_get_be64(pt + 44);
    rc = bnc_draft_set_text(&d, pt + HEAD_BYTES, len);
    if (rc == 0 && !valid(&d))
        rc = BN_ECORRUPT;
    if (rc != 0) {
        bnc_draft_clear(&d);
        return rc;
    }
    *out = d;
    return 0;
}

/* open_from opens the box at path under ad into *out (id field id). */
static int open_from(const bnc_profile *p, const char *path, const uint8_t *ad,
                     size_t adlen, uint64_t id, bnc_draft *out)
{
    uint8_t *box = NULL, *pt = NULL;
    size_t boxlen = 0, ptlen = 0;
    int rc;

    rc = read_file(path, &box, &boxlen);
    if (rc != 0)
        return rc;
    rc = bn_draftbox_open(&pt, &ptlen, p->id->self_key, ad, adlen, box, boxlen);
    free(box);
    if (rc != 0)
        return rc;
    rc = parse(pt, ptlen, id, out);
    sodium_memzero(pt, ptlen);
    sodium_free(pt);
    return rc;
}

int bnc_draft_load(const bnc_profile *p, uint64_t id, bnc_draft *out)
{
    char path[BNC_PATH_MAX + 32];
    uint8_t ad[AD_BYTES];
    int rc;

    memset(out, 0, sizeof *out);
    if (p->id == NULL || p->account_id == 0)
        return BN_EINVAL;
    rc = bnc_draft_path(p, id, path, sizeof path);
    if (rc != 0)
        return rc;
    make_ad(ad, p->account_id, id);
    return open_from(p, path, ad, sizeof ad, id, out);
}

/* name_id reads a draft's file name (16 lowercase hex digits). */
static int name_id(const char *name, uint64_t *id)
{
    uint8_t raw[8];

    if (strlen(name) != 16 || strspn(name, "0123456789abcdef") != 16 ||
        bn_hex_decode(raw, sizeof raw, name) != 0)
        return BN_EINVAL;
    *id = bn_get_be64(raw);
    return *id != 0 ? 0 : BN_EINVAL;
}

int bnc_draft_ids(const bnc_profile *p, uint64_t **ids, size_t *n)
{
    char path[BNC_PATH_MAX + 32];
    struct dirent *e;
    DIR *dir;
    int rc;

    *ids = NULL;
    *n = 0;
    rc = bnc_profile_path(p, path, sizeof path, "drafts");
    if (rc != 0)
        return rc;
    dir = opendir(path);
    if (dir == NULL)
        return errno == ENOENT ? 0 : -errno;
    while ((e = readdir(dir)) != NULL) {
        uint64_t id;
        if (name_id(e->d_name, &id) != 0)
            continue; /* ".", "..", a temporary file of an atomic write */
        rc = bnc__append((void **)ids, n, sizeof id, &id);
        if (rc != 0) {
            free(*ids);
            *ids = NULL;
            *n = 0;
            break;
        }
    }
    closedir(dir);
    return rc;
}

/* by_created orders drafts oldest first, then by id. */
static int by_created(const void *a, const void *b)
{
    const bnc_draft *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int bnc_draft_list(const bnc_profile *p, bnc_draft **items, size_t *n,
                   size_t *bad)
{
    uint64_t *ids = NULL;
    size_t nids = 0, nbad = 0;
    int rc;

    *items = NULL;
    *n = 0;
    rc = bnc_draft_ids(p, &ids, &nids);
    for (size_t i = 0; rc == 0 && i < nids; i++) {
        bnc_draft d;
        int lrc = bnc_draft_load(p, ids[i], &d);
        if (lrc == BN_ENOMEM || lrc == BN_EINVAL) {
            rc = lrc;
        } else if (lrc != 0) {
            nbad++;
        } else {
            rc = bnc__append((void **)items, n, sizeof d, &d);
            if (rc != 0)
                bnc_draft_clear(&d);
        }
    }
    free(ids);
    if (rc != 0) {
        bnc_draft_list_free(*items, *n);
        *items = NULL;
        *n = 0;
        return rc;
    }
    if (*n > 1)
        qsort(*items, *n, sizeof **items, by_created);
    if (bad != NULL)
        *bad = nbad;
    return 0;
}

void bnc_draft_list_free(bnc_draft *items, size_t n)
{
    for (size_t i = 0; items != NULL && i < n; i++)
        bnc_draft_clear(&items[i]);
    free(items);
}

int bnc_draft_discard(const bnc_profile *p, uint64_t id)
{
    char path[BNC_PATH_MAX + 32];
    int rc = bnc_draft_path(p, id, path, sizeof path);

    if (rc == 0 && unlink(path) != 0)
        rc = errno == ENOENT ? BN_ENOTFOUND : -errno;
    return rc;
}

/* ---- sent copies (issue 15) ---------------------------------------- */

/*
 * The last revision of each note this member wrote, kept as
 * sent/PAIR/NOTE (16 hex digits), in the draft's format and box, with
 * the revision written in the revision field and the note id in the id
 * field, and associated data
 *
 *   "binome sent v1" (14 ASCII bytes) || account_id || pair_id || note_id
 *
 * so that a copy does not open under another name, pair or account.
 */
#define SENT_LABEL "binome sent v1"
#define SENT_LABEL_BYTES 14
#define SENT_AD_BYTES (SENT_LABEL_BYTES + 24)

static void sent_ad(uint8_t ad[SENT_AD_BYTES], uint64_t account, uint64_t pair,
                    uint64_t note)
{
    memcpy(ad, SENT_LABEL, SENT_LABEL_BYTES);
    bn_put_be64(ad + SENT_LABEL_BYTES, account);
    bn_put_be64(ad + SENT_LABEL_BYTES + 8, pair);
    bn_put_be64(ad + SENT_LABEL_BYTES + 16, note);
}

/* sent_path: dir/sent/PAIR (note 0) or dir/sent/PAIR/NOTE; mk makes the
 * directories (0700). */
static int sent_path(const bnc_profile *p, uint64_t pair, uint64_t note,
                     char *out, size_t size, int mk)
{
    int rc = 0, n;

    if (mk) {
        rc = bnc_profile_path(p, out, size, "sent");
        if (rc == 0)
            rc = bnc__mkdir_private(out);
    }
    n = snprintf(out, size, "%s/sent/%" PRIu64, p->dir, pair);
    if (rc == 0 && (n < 0 || (size_t)n >= size))
        rc = BN_EINVAL;
    if (rc == 0 && mk)
        rc = bnc__mkdir_private(out);
    if (rc == 0 && note != 0) {
        n = snprintf(out, size, "%s/sent/%" PRIu64 "/%016" PRIx64, p->dir, pair,
                     note);
        if (n < 0 || (size_t)n >= size)
            rc = BN_EINVAL;
    }
    return rc;
}

int bnc_sent_keep(const bnc_profile *p, const bnc_draft *d, uint64_t note_id,
                  uint32_t revision)
{
    char path[BNC_PATH_MAX + 64];
    uint8_t ad[SENT_AD_BYTES];
    bnc_draft c = *d;
    int rc;

    if (p->id == NULL || p->account_id == 0 || !valid(d) || note_id == 0 ||
        revision == 0 ||
        (d->action != BNC_DRAFT_NOTE_ADD && d->action != BNC_DRAFT_NOTE_EDIT))
        return BN_EINVAL;
    c.note_id = note_id;
    rc = sent_path(p, d->pair_id, note_id, path, sizeof path, 1);
    if (rc != 0)
        return rc;
    sent_ad(ad, p->account_id, d->pair_id, note_id);
    return seal_to(p, path, ad, sizeof ad, &c, note_id, revision);
}

int bnc_sent_load(const bnc_profile *p, uint64_t pair_id, uint64_t note_id,
                  bnc_draft *out)
{
    char path[BNC_PATH_MAX + 64];
    uint8_t ad[SENT_AD_BYTES];
    int rc;

    memset(out, 0, sizeof *out);
    if (p->id == NULL || p->account_id == 0 || note_id == 0)
        return BN_EINVAL;
    rc = sent_path(p, pair_id, note_id, path, sizeof path, 0);
    if (rc != 0)
        return rc;
    sent_ad(ad, p->account_id, pair_id, note_id);
    rc = open_from(p, path, ad, sizeof ad, note_id, out);
    if (rc == 0 && (out->pair_id != pair_id || out->note_id != note_id)) {
        bnc_draft_clear(out);
        rc = BN_ECORRUPT;
    }
    if (rc == 0)
        out->id = 0; /* a copy, not a draft */
    return rc;
}

int bnc_sent_forget(const bnc_profile *p, uint64_t pair_id)
{
    char path[BNC_PATH_MAX + 64], file[BNC_PATH_MAX + 160];
    struct dirent *e;
    DIR *dir;
    int rc = sent_path(p, pair_id, 0, path, sizeof path, 0);

    if (rc != 0)
        return rc;
    dir = opendir(path);
    if (dir == NULL)
        return errno == ENOENT ? 0 : -errno;
    while ((e = readdir(dir)) != NULL) {
        int n;
        if (e->d_name[0] == '.')
            continue;
        n = snprintf(file, sizeof file, "%s/%.64s", path, e->d_name);
        if (n < 0 || (size_t)n >= sizeof file)
            continue;
        if (unlink(file) != 0 && errno != ENOENT)
            rc = -errno;
    }
    closedir(dir);
    if (rc == 0 && rmdir(path) != 0 && errno != ENOENT)
        rc = -errno;
    return rc;
}
