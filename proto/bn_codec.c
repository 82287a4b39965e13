/*
 * bn_codec.c: the generic, table-driven msgpack codec of bn_proto.h.
 *
 * Encoding walks a bn_struct_desc and writes with msgpack-c's packer into
 * a bn_buf, checking every limit on the way (the encoder refuses what the
 * decoder would reject); on error the buffer is put back as it was.
 *
 * Decoding runs in four steps, none of which trusts the input:
 *   1. prescan() walks the raw bytes with a bounded cursor: every header
 *      must fit, every str/bin length must fit in the bytes left (else
 *      BN_ETRUNC), every array count must be at most the bytes left (else
 *      BN_ECOUNT: each element takes at least one byte), nesting at most
 *      BN_MSG_MAX_DEPTH arrays (BN_EDEPTH), no map, ext or reserved byte
 *      (BN_ETYPE), nothing after the top-level item (BN_ETRAILING).
 *      This is what makes step 2 safe: msgpack-c allocates
 *      count * sizeof(msgpack_object) from an array header before it reads
 *      the elements, so a 5-byte header claiming 2^32 elements would ask
 *      for 96 GiB. After the prescan, the elements of all arrays together
 *      number fewer than the input's bytes, and no more than the schema
 *      allows for the structure being decoded (at least 4096; for
 *      bn_msg_decode the largest message, about 15,000 elements);
 *      msgpack-c's zone is at most sizeof(msgpack_object) (24) bytes per
 *      element plus one 8 KiB chunk: under 400 KiB whatever the input.
 *   2. msgpack_unpack builds the object tree (str/bin objects point into
 *      the input) in the thread's reused zone (thread_zone below).
 *   3. A first walk of the tree against the descriptors checks every type,
 *      range, length and count, and adds up the arena bytes the message
 *      needs (strings with their NUL, binaries, list element arrays).
 *   4. One arena block of exactly that size is allocated and a second walk
 *      fills the C structure, copying every string and binary into it.
 * So a decoded message owns all it points to and stays valid after the
 * caller frees or reuses the input buffer; allocations per decode are at
 * most one arena block, plus zone chunks beyond the first for a large
 * tree (given back before return).
 *
 * Error conventions (one code per case; tests/unit/test_proto.c has the
 * table):
 *   input ends inside an item, or str/bin length past the end  BN_ETRUNC
 *   array count larger than the bytes left                     BN_ECOUNT
 *   more array elements in all than the schema can hold        BN_ECOUNT
 *   LIST with more elements than its maximum                   BN_ECOUNT
 *   arrays nested deeper than BN_MSG_MAX_DEPTH                 BN_EDEPTH
 *   map, ext, 0xc1, or a field of the wrong msgpack type       BN_ETYPE
 *   STR with a NUL or invalid UTF-8                            BN_ETYPE
 *   fewer fields than the schema                               BN_EMISSING
 *   more fields than the schema                                BN_EPROTO
 *   STR/BIN/ENV longer than the limit, BINF longer than A      BN_ETOOLONG
 *   BINF shorter than A                                        BN_ERANGE
 *   unsigned field negative or above its maximum, I64 above
 *   INT64_MAX, negative request id                             BN_ERANGE
 *   message type not an unsigned integer (e.g. a string)       BN_ETYPE
 *   message type an integer that is no known code              BN_EUNKNOWNMSG
 *   bytes after the top-level array                            BN_ETRAILING
 * Structural errors (prescan) are reported before schema errors; schema
 * errors come in field order, a structure's field count before its
 * fields. The encoder also gives BN_ERANGE for a BOOL other than 0 or 1
 * and BN_EINVAL for a NULL pointer with a non-zero length.
 */
#include "bn_proto.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

/* ---- arena ---------------------------------------------------------- */

/* A block of decoded data; blocks chain through next. */
typedef struct bn__arena_blk {
    struct bn__arena_blk *next;
    size_t size;
    max_align_t data[];
} bn__arena_blk;

static bn__arena_blk *arena_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(bn__arena_blk))
        return NULL;
    bn__arena_blk *b = malloc(sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->next = NULL;
    b->size = size;
    return b;
}

/* bn_arena_free wipes (decoded messages may carry tokens and signatures)
 * and frees every block of the chain; accepts NULL and an empty chain. */
void bn_arena_free(void **arena)
{
    if (arena == NULL)
        return;
    bn__arena_blk *b = *arena;
    while (b != NULL) {
        bn__arena_blk *next = b->next;
        sodium_memzero(b->data, b->size);
        free(b);
        b = next;
    }
    *arena = NULL;
}

/* bn_msg_free releases the arena of a decoded (or built) message and
 * zeroes it, so that no pointer into freed memory survives in it. */
void bn_msg_free(bn_msg *m)
{
    if (m == NULL)
        return;
    bn_arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}

/* ---- shared checks -------------------------------------------------- */

/* utf8_check returns 0 when s is well-formed UTF-8 (no overlong form, no
 * surrogate, nothing above U+10FFFF) without NUL, else BN_ETYPE. */
static int utf8_check(const uint8_t *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k) {
        k = bn_utf8_seq(s + i, n - i);
        if (k == 0 || s[i] == 0)
            return BN_ETYPE;
    }
    return 0;
}

int bn_str_check(const char *s, size_t len, size_t max)
{
    if (len > max)
        return BN_ETOOLONG;
    if (s == NULL)
        return len == 0 ? 0 : BN_EINVAL;
    return utf8_check((const uint8_t *)s, len);
}

/* uint_max is the largest value of an unsigned field: A, or its type's. */
static uint64_t uint_max(const bn_field_desc *f)
{
    uint64_t tmax = f->kind == BN_FK_U8    ? UINT8_MAX
                    : f->kind == BN_FK_U32 ? UINT32_MAX
                                           : UINT64_MAX;
    return f->a != 0 && f->a < tmax ? f->a : tmax;
}

/* len_max is the longest STR/BIN/ENV: A, or what bn_str/bn_bin can hold. */
static uint64_t len_max(const bn_field_desc *f)
{
    return f->a != 0 && f->a < UINT32_MAX ? f->a : UINT32_MAX;
}

/* ---- encoding ------------------------------------------------------- */

static int buf_write(void *data, const char *p, size_t n)
{
    return bn_buf_append(data, p, n) == 0 ? 0 : -1;
}

#define PK(call)                                                               \
    do {                                                                       \
        if ((call) != 0)                                                       \
            return BN_ENOMEM;                                                  \
    } while (0)

static int enc_struct(msgpack_packer *pk, const bn_struct_desc *d,
                      const uint8_t *base, int depth);

static int enc_fields(msgpack_packer *pk, const bn_struct_desc *d,
                      const uint8_t *base, int depth);

/* enc_field writes one field whose bytes are at src; depth is the nesting
 * of the array that holds the field (the message itself is 1). */
static int enc_field(msgpack_packer *pk, const bn_field_desc *f,
                     const uint8_t *src, int depth)
{
    switch (f->kind) {
    case BN_FK_U8:
    case BN_FK_U32:
    case BN_FK_U64: {
        uint64_t v;
        if (f->kind == BN_FK_U8) {
            v = *src;
        } else if (f->kind == BN_FK_U32) {
            uint32_t v32;
            memcpy(&v32, src, sizeof v32);
            v = v32;
        } else {
            memcpy(&v, src, sizeof v);
        }
        if (v > uint_max(f))
            return BN_ERANGE;
        PK(msgpack_pack_uint64(pk, v));
        return 0;
    }
    case BN_FK_I64: {
        int64_t v;
        memcpy(&v, src, sizeof v);
        PK(msgpack_pack_int64(pk, v));
        return 0;
    }
    case BN_FK_BOOL:
        if (*src > 1)
            return BN_ERANGE;
        PK(*src ? msgpack_pack_true(pk) : msgpack_pack_false(pk));
        return 0;
    case BN_FK_STR: {
        bn_str s;
        memcpy(&s, src, sizeof s);
        if (s.len > len_max(f))
            return BN_ETOOLONG;
        if (s.ptr == NULL && s.len > 0)
            return BN_EINVAL;
        if (s.len > 0 && utf8_check((const uint8_t *)s.ptr, s.len) != 0)
            return BN_ETYPE;
        PK(msgpack_pack_str(pk, s.len));
        PK(msgpack_pack_str_body(pk, s.ptr, s.len));
        return 0;
    }
    case BN_FK_BIN:
    case BN_FK_ENV: {
        bn_bin b;
        memcpy(&b, src, sizeof b);
        if (b.len > len_max(f))
            return BN_ETOOLONG;
        if (b.ptr == NULL && b.len > 0)
            return BN_EINVAL;
        PK(msgpack_pack_bin(pk, b.len));
        PK(msgpack_pack_bin_body(pk, b.ptr, b.len));
        return 0;
    }
    case BN_FK_BINF:
        PK(msgpack_pack_bin(pk, (size_t)f->a));
        PK(msgpack_pack_bin_body(pk, src, (size_t)f->a));
        return 0;
    case BN_FK_OBJ:
        return enc_struct(pk, f->elem, src, depth + 1);
    case BN_FK_LIST: {
        const uint8_t *v;
        uint32_t n;
        memcpy(&v, src, sizeof v);
        memcpy(&n, src + sizeof(void *), sizeof n);
        if (n > f->b)
            return BN_ECOUNT;
        if (v == NULL && n > 0)
            return BN_EINVAL;
        if (depth + 1 > BN_MSG_MAX_DEPTH)
            return BN_EDEPTH;
        PK(msgpack_pack_array(pk, n));
        for (uint32_t i = 0; i < n; i++) {
            int rc = enc_struct(pk, f->elem, v + (size_t)i * f->elem->size,
                                depth + 2);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    default:
        return BN_EINVAL;
    }
}

static int enc_fields(msgpack_packer *pk, const bn_struct_desc *d,
                      const uint8_t *base, int depth)
{
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        int rc = enc_field(pk, f, base + f->offset, depth);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* enc_struct writes the array of d's fields; depth is that array's. */
static int enc_struct(msgpack_packer *pk, const bn_struct_desc *d,
                      const uint8_t *base, int depth)
{
    if (depth > BN_MSG_MAX_DEPTH)
        return BN_EDEPTH;
    PK(msgpack_pack_array(pk, d->nfields));
    return enc_fields(pk, d, base, depth);
}

/* Every LIST member is { struct bn_x *v; uint32_t len; }: the codec
 * reads and writes it as a pointer followed by a count. */
_Static_assert(offsetof(bn_notes, items.len) ==
                   offsetof(bn_notes, items.v) + sizeof(void *),
               "unexpected LIST layout");

int bn_msg_encode(bn_buf *out, const bn_msg *m)
{
    const bn_struct_desc *d = bn_msg_desc(m->type);
    if (d == NULL)
        return BN_EUNKNOWNMSG;
    return bn_msg_encode_first(out, m, d->nfields);
}

int bn_msg_encode_first(bn_buf *out, const bn_msg *m, size_t nfields)
{
    const bn_struct_desc *full = bn_msg_desc(m->type);
    if (full == NULL)
        return BN_EUNKNOWNMSG;
    if (nfields > full->nfields)
        return BN_EINVAL;
    bn_struct_desc d = *full;
    d.nfields = nfields;

    size_t mark = out->len;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, buf_write);
    int rc = BN_ENOMEM;
    if (msgpack_pack_array(&pk, 2 + d.nfields) != 0 ||
        msgpack_pack_uint64(&pk, m->type) != 0 ||
        msgpack_pack_uint64(&pk, m->id) != 0)
        goto cleanup;
    rc = enc_fields(&pk, &d, (const uint8_t *)&m->u, 1);
cleanup:
    if (rc != 0)
        out->len = mark;
    return rc;
}

int bn_struct_encode(bn_buf *out, const bn_struct_desc *d, const void *s)
{
    size_t mark = out->len;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, buf_write);
    int rc = enc_struct(&pk, d, s, 1);
    if (rc != 0)
        out->len = mark;
    return rc;
}

/* ---- decoding: step 1, the prescan ---------------------------------- */

/* read_be reads an n-byte big-endian length (n <= 4) at *p. */
static int read_be(const uint8_t **p, const uint8_t *end, size_t n,
                   uint32_t *out)
{
    if ((size_t)(end - *p) < n)
        return BN_ETRUNC;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | (*p)[i];
    *p += n;
    *out = v;
    return 0;
}

/*
 * max_elems is the most array elements an encoding of d can hold: its
 * fields, and for each OBJ or LIST element the elements of its array.
 * Saturates instead of overflowing.
 */
static uint64_t max_elems(const bn_struct_desc *d)
{
    uint64_t n = d->nfields;
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        uint64_t e = 0;
        if (f->kind == BN_FK_OBJ) {
            e = max_elems(f->elem);
        } else if (f->kind == BN_FK_LIST) {
            uint64_t per = 1 + max_elems(f->elem);
            e = per > UINT64_MAX / ((uint64_t)f->b + 1) ? UINT64_MAX
                                                        : per * f->b;
        }
        n = e > UINT64_MAX - n ? UINT64_MAX : n + e;
    }
    return n;
}

/* msg_max_elems is the largest max_elems over every message, with the
 * type and id; computed once (every thread computes the same value, so
 * a race only repeats the work). */
static uint64_t msg_max_elems(void)
{
    static _Atomic uint64_t cached;
    uint64_t n = cached;
    if (n != 0)
        return n;
#define BN__MAX_ELEMS(NAME, name, code)                                        \
    if (2 + max_elems(&bn_desc_##name) > n)                                    \
        n = 2 + max_elems(&bn_desc_##name);
    BN_MSGS(BN__MAX_ELEMS)
#undef BN__MAX_ELEMS
    cached = n;
    return n;
}

/* elem_budget is the prescan's element budget for d: what the schema
 * allows, but never below BN__MIN_BUDGET so that small structures with a
 * few fields too many still reach the schema check and its precise
 * BN_EPROTO. */
#define BN__MIN_BUDGET 4096u
static uint64_t elem_budget(uint64_t schema_max)
{
    return schema_max < BN__MIN_BUDGET ? BN__MIN_BUDGET : schema_max;
}

/*
 * prescan checks that buf[0..len) is exactly one msgpack item whose
 * headers, lengths, counts and depth are all consistent with len (see the
 * top of this file), with at most budget array elements in all. It reads
 * each byte at most once and allocates nothing. len must be at least 1.
 */
static int prescan(const uint8_t *buf, size_t len, uint64_t budget)
{
    const uint8_t *p = buf;
    const uint8_t *end = buf + len;
    uint32_t left[BN_MSG_MAX_DEPTH + 1]; /* items still due at each depth */
    int depth = 0;
    left[0] = 1;

    for (;;) {
        if (p == end)
            return BN_ETRUNC;
        uint8_t c = *p++;
        size_t fixed = 0;    /* payload bytes of a fixed-size scalar */
        size_t lenbytes = 0; /* size of a str/bin/array length field */
        int array = 0;
        uint32_t n = 0;
        int rc;

        if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
            /* fixint, nil, bool: nothing follows */
        } else if (c <= 0x8f) {
            return BN_ETYPE; /* fixmap */
        } else if (c <= 0x9f) {
            array = 1, n = c & 0x0fu;
        } else if (c <= 0xbf) {
            fixed = c & 0x1fu; /* fixstr */
        } else {
            switch (c) {
            case 0xc4: /* bin8 */
            case 0xd9: /* str8 */
                lenbytes = 1;
                break;
            case 0xc5:
            case 0xda:
                lenbytes = 2;
                break;
            case 0xc6:
            case 0xdb:
                lenbytes = 4;
                break;
            case 0xcc: /* uint8 */
            case 0xd0: /* int8 */
                fixed = 1;
                break;
            case 0xcd:
            case 0xd1:
                fixed = 2;
                break;
            case 0xca: /* float32 */
            case 0xce:
            case 0xd2:
                fixed = 4;
                break;
            case 0xcb: /* float64 */
            case 0xcf:
            case 0xd3:
                fixed = 8;
                break;
            case 0xdc: /* array16 */
                array = 1, lenbytes = 2;
                break;
            case 0xdd: /* array32 */
                array = 1, lenbytes = 4;
                break;
            default: /* 0xc1, ext, fixext, map16, map32 */
                return BN_ETYPE;
            }
        }

        if (lenbytes > 0) {
            rc = read_be(&p, end, lenbytes, &n);
            if (rc != 0)
                return rc;
            if (!array)
                fixed = n;
        }
        if (array) {
            if (depth >= BN_MSG_MAX_DEPTH)
                return BN_EDEPTH;
            if (n > (size_t)(end - p) || n > budget)
                return BN_ECOUNT;
            budget -= n;
            left[depth]--;
            left[++depth] = n;
        } else {
            if (fixed > (size_t)(end - p))
                return BN_ETRUNC;
            p += fixed;
            left[depth]--;
        }
        while (depth > 0 && left[depth] == 0)
            depth--;
        if (depth == 0 && left[0] == 0)
            break;
    }
    return p == end ? 0 : BN_ETRAILING;
}

/*
 * The object trees are built in one msgpack zone per thread, cleared after
 * each decode: a message whose tree fits the zone's first chunk (8 KiB,
 * about 340 objects: every request and record but the longest lists)
 * allocates nothing for it, where msgpack_unpack_next would make and free
 * a zone of its own each time (two mallocs and two frees per decode).
 * Clearing gives back every chunk beyond the first, so a thread keeps
 * 8 KiB whatever it decoded. The tree holds object headers only: str and
 * bin objects point into the input.
 */
static pthread_key_t zone_key;
static pthread_once_t zone_once = PTHREAD_ONCE_INIT;
static int zone_key_ok;

static void zone_destroy(void *z)
{
    msgpack_zone_free(z);
}

static void zone_key_init(void)
{
    zone_key_ok = pthread_key_create(&zone_key, zone_destroy) == 0;
}

/* The calling thread's zone, made on first use; NULL when out of memory. */
static msgpack_zone *thread_zone(void)
{
    if (pthread_once(&zone_once, zone_key_init) != 0 || !zone_key_ok)
        return NULL;
    msgpack_zone *z = pthread_getspecific(zone_key);
    if (z == NULL) {
        z = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE);
        if (z != NULL && pthread_setspecific(zone_key, z) != 0) {
            msgpack_zone_free(z);
            z = NULL;
        }
    }
    return z;
}

/* unpack runs steps 1 and 2 into z; the caller clears z in every case. */
static int unpack(msgpack_zone *z, msgpack_object *obj, const uint8_t *buf,
                  size_t len, uint64_t budget)
{
    if (len == 0)
        return BN_ETRUNC;
    if (buf == NULL)
        return BN_EINVAL;
    if (z == NULL)
        return BN_ENOMEM;
    int rc = prescan(buf, len, budget);
    if (rc != 0)
        return rc;
    size_t off = 0;
    switch (msgpack_unpack((const char *)buf, len, &off, z, obj)) {
    case MSGPACK_UNPACK_SUCCESS:
        return 0;
    case MSGPACK_UNPACK_EXTRA_BYTES:
        return BN_ETRAILING;
    case MSGPACK_UNPACK_CONTINUE:
        return BN_ETRUNC;
    default:
        /* The prescan rejects every byte msgpack-c cannot parse, so a
         * failure here is the zone's allocation failing. */
        return BN_ENOMEM;
    }
}

/* ---- decoding: steps 3 and 4, the schema walks ---------------------- */

/*
 * A walk's context. In the checking walk arena is NULL: nothing is
 * written and used adds up what the filling walk will take. The filling
 * walk takes the same pieces in the same order from the block.
 */
typedef struct dctx {
    uint8_t *arena;
    size_t used;
} dctx;

static uint8_t *take(dctx *c, size_t n, size_t align)
{
    c->used = (c->used + align - 1) & ~(align - 1);
    uint8_t *p = c->arena != NULL ? c->arena + c->used : NULL;
    c->used += n;
    return p;
}

static int dec_struct(dctx *c, const bn_struct_desc *d, uint8_t *base,
                      const msgpack_object *o);

/* dec_field checks one field and, when dst is not NULL, stores it. */
static int dec_field(dctx *c, const bn_field_desc *f, uint8_t *dst,
                     const msgpack_object *o)
{
    switch (f->kind) {
    case BN_FK_U8:
    case BN_FK_U32:
    case BN_FK_U64: {
        if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
            return BN_ERANGE;
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return BN_ETYPE;
        uint64_t v = o->via.u64;
        if (v > uint_max(f))
            return BN_ERANGE;
        if (dst == NULL)
            return 0;
        if (f->kind == BN_FK_U8) {
            *dst = (uint8_t)v;
        } else if (f->kind == BN_FK_U32) {
            uint32_t v32 = (uint32_t)v;
            memcpy(dst, &v32, sizeof v32);
        } else {
            memcpy(dst, &v, sizeof v);
        }
        return 0;
    }
    case BN_FK_I64: {
        int64_t v;
        if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            if (o->via.u64 > INT64_MAX)
                return BN_ERANGE;
            v = (int64_t)o->via.u64;
        } else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            v = o->via.i64;
        } else {
            return BN_ETYPE;
        }
        if (dst != NULL)
            memcpy(dst, &v, sizeof v);
        return 0;
    }
    case BN_FK_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN)
            return BN_ETYPE;
        if (dst != NULL)
            *dst = o->via.boolean ? 1 : 0;
        return 0;
    case BN_FK_STR: {
        if (o->type != MSGPACK_OBJECT_STR)
            return BN_ETYPE;
        uint32_t n = o->via.str.size;
        if (n > len_max(f))
            return BN_ETOOLONG;
        if (utf8_check((const uint8_t *)o->via.str.ptr, n) != 0)
            return BN_ETYPE;
        bn_str s = {"", 0};
        if (n > 0) {
            char *p = (char *)take(c, (size_t)n + 1, 1);
            if (p != NULL) {
                memcpy(p, o->via.str.ptr, n);
                p[n] = '\0';
            }
            s.ptr = p;
            s.len = n;
        }
        if (dst != NULL)
            memcpy(dst, &s, sizeof s);
        return 0;
    }
    case BN_FK_BIN:
    case BN_FK_ENV: {
        if (o->type != MSGPACK_OBJECT_BIN)
            return BN_ETYPE;
        uint32_t n = o->via.bin.size;
        if (n > len_max(f))
            return BN_ETOOLONG;
        bn_bin b = {NULL, 0};
        if (n > 0) {
            uint8_t *p = take(c, n, 1);
            if (p != NULL)
                memcpy(p, o->via.bin.ptr, n);
            b.ptr = p;
            b.len = n;
        }
        if (dst != NULL)
            memcpy(dst, &b, sizeof b);
        return 0;
    }
    case BN_FK_BINF:
        if (o->type != MSGPACK_OBJECT_BIN)
            return BN_ETYPE;
        if (o->via.bin.size > f->a)
            return BN_ETOOLONG;
        if (o->via.bin.size < f->a)
            return BN_ERANGE;
        if (dst != NULL)
            memcpy(dst, o->via.bin.ptr, (size_t)f->a);
        return 0;
    case BN_FK_OBJ:
        return dec_struct(c, f->elem, dst, o);
    case BN_FK_LIST: {
        if (o->type != MSGPACK_OBJECT_ARRAY)
            return BN_ETYPE;
        uint32_t n = o->via.array.size;
        if (n > f->b)
            return BN_ECOUNT;
        size_t esize = f->elem->size;
        uint8_t *v = NULL;
        if (n > 0) {
            /* n is below the input's length (prescan), esize is a C
             * structure's size: the product cannot overflow on 64-bit;
             * check anyway for 32-bit targets. */
            if (n > SIZE_MAX / esize)
                return BN_ENOMEM;
            v = take(c, (size_t)n * esize, alignof(max_align_t));
            if (v != NULL)
                memset(v, 0, (size_t)n * esize);
        }
        for (uint32_t i = 0; i < n; i++) {
            int rc =
                dec_struct(c, f->elem, v != NULL ? v + (size_t)i * esize : NULL,
                           &o->via.array.ptr[i]);
            if (rc != 0)
                return rc;
        }
        if (dst != NULL) {
            memcpy(dst, &v, sizeof v);
            memcpy(dst + sizeof(void *), &n, sizeof n);
        }
        return 0;
    }
    default:
        return BN_EINVAL;
    }
}

static int dec_fields(dctx *c, const bn_struct_desc *d, uint8_t *base,
                      const msgpack_object *v)
{
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        int rc = dec_field(c, f, base != NULL ? base + f->offset : NULL, &v[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* dec_struct checks that o is an array of exactly d's fields, then each. */
static int dec_struct(dctx *c, const bn_struct_desc *d, uint8_t *base,
                      const msgpack_object *o)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return BN_ETYPE;
    if (o->via.array.size < d->nfields)
        return BN_EMISSING;
    if (o->via.array.size > d->nfields)
        return BN_EPROTO;
    return dec_fields(c, d, base, o->via.array.ptr);
}

/* msg_header checks [type, id, ...] and the field count of the type. */
static int msg_header(const msgpack_object *o, const bn_struct_desc **d,
                      uint16_t *type, uint64_t *id)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return BN_ETYPE;
    uint32_t n = o->via.array.size;
    const msgpack_object *v = o->via.array.ptr;
    if (n < 1)
        return BN_EMISSING;
    if (v[0].type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return BN_EUNKNOWNMSG;
    if (v[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return BN_ETYPE;
    if (v[0].via.u64 > UINT16_MAX || !bn_msg_known((uint16_t)v[0].via.u64))
        return BN_EUNKNOWNMSG;
    *type = (uint16_t)v[0].via.u64;
    *d = bn_msg_desc(*type);
    if (n < 2)
        return BN_EMISSING;
    if (v[1].type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return BN_ERANGE;
    if (v[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return BN_ETYPE;
    *id = v[1].via.u64;
    if (n - 2 < (*d)->nfields)
        return BN_EMISSING;
    if (n - 2 > (*d)->nfields)
        return BN_EPROTO;
    return 0;
}

/* fill allocates the block the checking walk measured and runs the
 * filling walk; *blk stays NULL when the message needs no arena. */
static int fill(dctx *c, bn__arena_blk **blk)
{
    *blk = NULL;
    if (c->used == 0)
        return 0;
    *blk = arena_new(c->used);
    if (*blk == NULL)
        return BN_ENOMEM;
    c->arena = (uint8_t *)(*blk)->data;
    c->used = 0;
    return 0;
}

int bn_msg_decode(bn_msg *m, const uint8_t *buf, size_t len)
{
    const bn_struct_desc *d = NULL;
    bn__arena_blk *blk = NULL;
    uint16_t type = 0;
    uint64_t id = 0;
    dctx c = {NULL, 0};
    msgpack_zone *z = thread_zone();
    msgpack_object obj;

    memset(m, 0, sizeof *m);
    int rc = unpack(z, &obj, buf, len, elem_budget(msg_max_elems()));
    if (rc != 0)
        goto cleanup;
    rc = msg_header(&obj, &d, &type, &id);
    if (rc != 0)
        goto cleanup;
    const msgpack_object *fields = obj.via.array.ptr + 2;
    rc = dec_fields(&c, d, NULL, fields);
    if (rc != 0)
        goto cleanup;
    rc = fill(&c, &blk);
    if (rc != 0)
        goto cleanup;
    rc = dec_fields(&c, d, (uint8_t *)&m->u, fields);
    if (rc != 0)
        goto cleanup;
    m->type = type;
    m->id = id;
    m->arena = blk;
    blk = NULL;
cleanup:
    if (z != NULL)
        msgpack_zone_clear(z);
    if (rc != 0) {
        void *a = blk;
        bn_arena_free(&a);
        memset(m, 0, sizeof *m);
    }
    return rc;
}

int bn_struct_decode(const bn_struct_desc *d, void *s, const uint8_t *buf,
                     size_t len, void **arena)
{
    bn__arena_blk *blk = NULL;
    dctx c = {NULL, 0};
    msgpack_zone *z = thread_zone();
    msgpack_object obj;

    memset(s, 0, d->size);
    int rc = unpack(z, &obj, buf, len, elem_budget(max_elems(d)));
    if (rc != 0)
        goto cleanup;
    rc = dec_struct(&c, d, NULL, &obj);
    if (rc != 0)
        goto cleanup;
    rc = fill(&c, &blk);
    if (rc != 0)
        goto cleanup;
    rc = dec_struct(&c, d, s, &obj);
    if (rc != 0)
        goto cleanup;
    if (blk != NULL) {
        blk->next = *arena;
        *arena = blk;
        blk = NULL;
    }
cleanup:
    if (z != NULL)
        msgpack_zone_clear(z);
    if (rc != 0) {
        void *a = blk;
        bn_arena_free(&a);
        memset(s, 0, d->size);
    }
    return rc;
}
