/*
 * bnd_layout.c: the LMDB layout of bnd_layout.h at run time: one line per
 * database (name, key parts, record description) for the store, the
 * audit and the printed layout table.
 */
#include "bnd_layout.h"

#include "bnd_schema.h"

/* A database without records ("none" in BND_DBS) has no description:
 * &bn_desc_none is then NULL (C11 6.5.3.2: &*E is E). */
#define bn_desc_none (*(const bn_struct_desc *)NULL)

#define BND__PART(n, T) {#n, #T, BND__KT_W_##T},
#define BND__LAYOUT(E, name, rec)                                              \
    [BND_DB_##                                                                 \
        E] = {BND_DB_##E,          #name,                                      \
              &bn_desc_##rec,      BND_KEY_NPARTS(name),                       \
              BND_KEY_WIDTH(name), {BND_K_##name(BND__PART, BND__PART)}},

static const bnd_db_layout layouts[BND_DB_COUNT] = {BND_DBS(BND__LAYOUT)};

/* Every key fits a bnd_key, with at most BND_KEY_PARTS_MAX parts. */
#define BND__CHECK(E, name, rec)                                               \
    _Static_assert(BND_KEY_WIDTH(name) <= BND_KEY_MAX &&                       \
                       BND_KEY_NPARTS(name) <= BND_KEY_PARTS_MAX,              \
                   #name "'s key does not fit bnd_key");
BND_DBS(BND__CHECK)

const bnd_db_layout *bnd_db_layout_of(enum bnd_db db)
{
    return (unsigned)db < BND_DB_COUNT ? &layouts[db] : NULL;
}

bnd_key bnd_key_prefix(bnd_key k, unsigned nparts)
{
    const bnd_db_layout *l = bnd_db_layout_of(k.db);
    size_t len = 0;

    if (l == NULL || nparts >= k.nparts)
        return k;
    for (unsigned i = 0; i < nparts; i++)
        len += l->parts[i].width;
    k.len = len;
    k.nparts = nparts;
    return k;
}

int bnd_key_part_int(const bnd_db_layout *l, const MDB_val *k, unsigned i,
                     uint64_t *v)
{
    const uint8_t *p = k->mv_data;
    size_t off = 0;

    if (i >= l->nparts)
        return BN_EINVAL;
    for (unsigned j = 0; j < i; j++)
        off += l->parts[j].width;
    if (off + l->parts[i].width > k->mv_size)
        return BN_EINVAL;
    switch (l->parts[i].width) {
    case 8:
        *v = bn_get_be64(p + off);
        return 0;
    case 4:
        *v = bn_get_be32(p + off);
        return 0;
    default:
        return BN_EINVAL;
    }
}

void bnd_db_layout_keys(const bnd_db_layout *l, char *out, size_t size)
{
    size_t o = 0;

    out[0] = '\0';
    for (unsigned i = 0; i < l->nparts && o < size; i++) {
        int n = snprintf(out + o, size - o, "%s%s", i ? ", " : "",
                         l->parts[i].name);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* part_text spells one part: "pair_id (8)", "name (string)". */
static void part_text(char *out, size_t size, const bnd_key_part *p)
{
    if (p->width == 0)
        snprintf(out, size, "%s (string)", p->name);
    else
        snprintf(out, size, "%s (%u)", p->name, p->width);
}

int bnd_layout_write(FILE *f, const char *prefix)
{
    char key[160], part[48];

    fprintf(f, "%s%-14s %-44s %s\n", prefix, "database",
            "key: parts (bytes), side by side", "value");
    for (int db = 0; db < BND_DB_COUNT; db++) {
        const bnd_db_layout *l = &layouts[db];
        size_t o = 0;
        key[0] = '\0';
        for (unsigned i = 0; i < l->nparts && o < sizeof key; i++) {
            part_text(part, sizeof part, &l->parts[i]);
            int n = snprintf(key + o, sizeof key - o, "%s%s", i ? " || " : "",
                             part);
            if (n < 0)
                break;
            o += (size_t)n;
        }
        fprintf(f, "%s%-14s %-44s %s\n", prefix, l->name, key,
                l->desc ? l->desc->name : "(no record)");
    }
    return ferror(f) ? BN_EIO : 0;
}
