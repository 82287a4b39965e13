/*
 * test_proto.c: the generic codec, driven by the schema's own descriptors.
 *
 * - Every message type of BN_MSGS round-trips with boundary values
 *   (maximal strings, binaries and integers, minimal ones, small lists,
 *   and each list at its maximum count), compared field by field through
 *   the descriptors.
 * - For every field of every message, the encoder refuses each value the
 *   decoder would reject, and the decoder gives the documented code for
 *   each wrong item (written by an independent raw msgpack writer here).
 * - Every prefix of every message fails cleanly; trailing bytes fail.
 * - bn_struct_encode/decode on test-local descriptors (arena chaining,
 *   depth limit).
 *
 * `unit_runner --tool seeds DIR` writes the fuzzers' seed corpora into
 * DIR/fuzz_msg and DIR/fuzz_frame (bn_unit_tool_seeds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"
#include <msgpack.h>

#include "bn_proto.h"

static const struct {
    uint16_t code;
    const char *name;
} msgs[] = {
#define X(NAME, name, code) {code, #NAME},
    BN_MSGS(X)
#undef X
};
#define NMSGS (sizeof msgs / sizeof msgs[0])

/* ---- test allocations, freed after each test ------------------------ */

static void **pool;
static size_t npool, pool_cap;

static void *palloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    assert_non_null(p);
    if (npool == pool_cap) {
        pool_cap = pool_cap ? pool_cap * 2 : 256;
        pool = realloc(pool, pool_cap * sizeof *pool);
        assert_non_null(pool);
    }
    pool[npool++] = p;
    return p;
}

static int pool_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < npool; i++)
        free(pool[i]);
    free(pool);
    pool = NULL;
    npool = pool_cap = 0;
    return 0;
}

/* ---- the generic filler --------------------------------------------- */

enum { S_EMPTY, S_SHORT, S_MAX };
enum { I_MIN, I_SMALL, I_MAX };

typedef struct fill_opts {
    int s;                         /* string and binary lengths */
    int i;                         /* integers and booleans */
    uint32_t count;                /* elements of every list ... */
    const bn_field_desc *max_list; /* ... except this one: its maximum */
    uint8_t seed;
} fill_opts;

static uint64_t type_max(const bn_field_desc *f)
{
    return f->kind == BN_FK_U8    ? UINT8_MAX
           : f->kind == BN_FK_U32 ? UINT32_MAX
                                  : UINT64_MAX;
}

static uint64_t field_max(const bn_field_desc *f)
{
    return f->a != 0 && f->a < type_max(f) ? f->a : type_max(f);
}

static uint32_t fill_len(const bn_field_desc *f, int s)
{
    uint32_t a = (uint32_t)f->a;
    return s == S_MAX ? a : s == S_SHORT ? (a < 5 ? a : 5) : 0;
}

/* fill_text writes n bytes of valid UTF-8: letters and "é" pairs. */
static void fill_text(char *p, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        if (n - i >= 2 && i % 3 == 0) {
            p[i++] = (char)0xc3;
            p[i++] = (char)0xa9;
        } else {
            p[i] = (char)('a' + i % 26);
            i++;
        }
    }
}

static void fill_bytes(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + seed);
}

static void fill_struct(const bn_struct_desc *d, uint8_t *base,
                        const fill_opts *o)
{
    for (size_t k = 0; k < d->nfields; k++) {
        const bn_field_desc *f = &d->fields[k];
        uint8_t *dst = base + f->offset;
        uint64_t iv = o->i == I_MIN     ? 0
                      : o->i == I_SMALL ? (field_max(f) < 3 ? field_max(f) : 3)
                                        : field_max(f);
        switch (f->kind) {
        case BN_FK_U8:
            *dst = (uint8_t)iv;
            break;
        case BN_FK_U32: {
            uint32_t v = (uint32_t)iv;
            memcpy(dst, &v, sizeof v);
            break;
        }
        case BN_FK_U64:
            memcpy(dst, &iv, sizeof iv);
            break;
        case BN_FK_I64: {
            int64_t v = o->i == I_MIN   ? INT64_MIN
                        : o->i == I_MAX ? INT64_MAX
                                        : -(int64_t)(k + 2);
            memcpy(dst, &v, sizeof v);
            break;
        }
        case BN_FK_BOOL:
            *dst = o->i != I_MIN;
            break;
        case BN_FK_STR: {
            uint32_t n = fill_len(f, o->s);
            char *p = palloc(n + 1);
            fill_text(p, n);
            bn_str s = {p, n};
            memcpy(dst, &s, sizeof s);
            break;
        }
        case BN_FK_BIN:
        case BN_FK_ENV: {
            uint32_t n = fill_len(f, o->s);
            uint8_t *p = palloc(n);
            fill_bytes(p, n, (uint8_t)(o->seed + k));
            bn_bin b = {n ? p : NULL, n};
            memcpy(dst, &b, sizeof b);
            break;
        }
        case BN_FK_BINF:
            fill_bytes(dst, (size_t)f->a, (uint8_t)(o->seed + k));
            break;
        case BN_FK_OBJ:
            fill_struct(f->elem, dst, o);
            break;
        case BN_FK_LIST: {
            uint32_t n = f == o->max_list  ? f->b
                         : o->count < f->b ? o->count
                                           : f->b;
            uint8_t *v = n ? palloc((size_t)n * f->elem->size) : NULL;
            for (uint32_t e = 0; e < n; e++)
                fill_struct(f->elem, v + (size_t)e * f->elem->size, o);
            memcpy(dst, &v, sizeof v);
            memcpy(dst + sizeof(void *), &n, sizeof n);
            break;
        }
        default:
            fail_msg("unknown field kind %d", f->kind);
        }
    }
}

static void fill_msg(bn_msg *m, uint16_t type, const fill_opts *o)
{
    bn_msg_init(m, type, o->i == I_MAX ? UINT64_MAX : o->i == I_MIN ? 0 : 42);
    fill_struct(bn_msg_desc(type), (uint8_t *)&m->u, o);
}

/* ---- the generic comparison ----------------------------------------- */

static void cmp_struct(const char *where, const bn_struct_desc *d,
                       const uint8_t *a, const uint8_t *b)
{
    for (size_t k = 0; k < d->nfields; k++) {
        const bn_field_desc *f = &d->fields[k];
        const uint8_t *x = a + f->offset, *y = b + f->offset;
        switch (f->kind) {
        case BN_FK_U8:
        case BN_FK_BOOL:
            if (*x != *y)
                fail_msg("%s.%s: %u != %u", where, f->name, *x, *y);
            break;
        case BN_FK_U32:
            if (memcmp(x, y, 4) != 0)
                fail_msg("%s.%s differs", where, f->name);
            break;
        case BN_FK_U64:
        case BN_FK_I64:
            if (memcmp(x, y, 8) != 0)
                fail_msg("%s.%s differs", where, f->name);
            break;
        case BN_FK_STR: {
            bn_str s, t;
            memcpy(&s, x, sizeof s);
            memcpy(&t, y, sizeof t);
            if (s.len != t.len || t.ptr == NULL || t.ptr[t.len] != '\0' ||
                (s.len > 0 && memcmp(s.ptr, t.ptr, s.len) != 0))
                fail_msg("%s.%s: string differs", where, f->name);
            break;
        }
        case BN_FK_BIN:
        case BN_FK_ENV: {
            bn_bin s, t;
            memcpy(&s, x, sizeof s);
            memcpy(&t, y, sizeof t);
            if (s.len != t.len || (s.len > 0 && memcmp(s.ptr, t.ptr, s.len)))
                fail_msg("%s.%s: binary differs", where, f->name);
            break;
        }
        case BN_FK_BINF:
            if (memcmp(x, y, (size_t)f->a) != 0)
                fail_msg("%s.%s: fixed binary differs", where, f->name);
            break;
        case BN_FK_OBJ:
            cmp_struct(where, f->elem, x, y);
            break;
        case BN_FK_LIST: {
            const uint8_t *v, *w;
            uint32_t n, m;
            memcpy(&v, x, sizeof v);
            memcpy(&w, y, sizeof w);
            memcpy(&n, x + sizeof(void *), sizeof n);
            memcpy(&m, y + sizeof(void *), sizeof m);
            if (n != m)
                fail_msg("%s.%s: %u elements != %u", where, f->name, n, m);
            for (uint32_t e = 0; e < n; e++)
                cmp_struct(where, f->elem, v + (size_t)e * f->elem->size,
                           w + (size_t)e * f->elem->size);
            break;
        }
        default:
            fail_msg("unknown field kind %d", f->kind);
        }
    }
}

/*
 * roundtrip encodes m, decodes a copy of the bytes that is then wiped and
 * freed (a decoded message must not point into its input), compares field
 * by field, and checks that re-encoding gives the same bytes.
 */
static void roundtrip(const bn_msg *m)
{
    const char *name = bn_msg_name(m->type);
    bn_buf out = {0}, again = {0};
    bn_msg d;
    int rc = bn_msg_encode(&out, m);
    if (rc != 0)
        fail_msg("%s: encode: %s", name, bn_err_name(rc));

    uint8_t *copy = malloc(out.len);
    assert_non_null(copy);
    memcpy(copy, out.data, out.len);
    rc = bn_msg_decode(&d, copy, out.len);
    memset(copy, 0xee, out.len);
    free(copy);
    if (rc != 0)
        fail_msg("%s: decode: %s", name, bn_err_name(rc));
    assert_int_equal(d.type, m->type);
    assert_true(d.id == m->id);
    cmp_struct(name, bn_msg_desc(m->type), (const uint8_t *)&m->u,
               (const uint8_t *)&d.u);

    assert_int_equal(bn_msg_encode(&again, &d), 0);
    assert_int_equal(again.len, out.len);
    assert_memory_equal(again.data, out.data, out.len);
    bn_msg_free(&d);
    assert_null(d.arena);
    bn_buf_free(&out);
    bn_buf_free(&again);
}

static void test_roundtrip_every_message(void **state)
{
    (void)state;
    const fill_opts variants[] = {
        {S_MAX, I_MAX, 2, NULL, 1},
        {S_EMPTY, I_MIN, 0, NULL, 2},
        {S_SHORT, I_SMALL, 1, NULL, 3},
    };
    for (size_t t = 0; t < NMSGS; t++) {
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
            bn_msg m;
            fill_msg(&m, msgs[t].code, &variants[v]);
            roundtrip(&m);
        }
    }
}

/* Each top-level list at its maximum count, with maximal elements. */
static void test_roundtrip_lists_at_max(void **state)
{
    (void)state;
    int lists = 0;
    for (size_t t = 0; t < NMSGS; t++) {
        const bn_struct_desc *d = bn_msg_desc(msgs[t].code);
        for (size_t k = 0; k < d->nfields; k++) {
            if (d->fields[k].kind != BN_FK_LIST)
                continue;
            fill_opts o = {S_MAX, I_MAX, 2, &d->fields[k], 7};
            bn_msg m;
            fill_msg(&m, msgs[t].code, &o);
            roundtrip(&m);
            lists++;
        }
        pool_teardown(NULL);
    }
    assert_true(lists >= 10);
}

/* ---- the encoder refuses what the decoder rejects ------------------- */

/* locate finds the k-th field in preorder (lists: their first element). */
static const bn_field_desc *locate(const bn_struct_desc *d, uint8_t *base,
                                   int *k, uint8_t **dst)
{
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        const bn_field_desc *r = NULL;
        if ((*k)-- == 0) {
            *dst = base + f->offset;
            return f;
        }
        if (f->kind == BN_FK_OBJ) {
            r = locate(f->elem, base + f->offset, k, dst);
        } else if (f->kind == BN_FK_LIST) {
            uint8_t *v;
            memcpy(&v, base + f->offset, sizeof v);
            if (v != NULL)
                r = locate(f->elem, v, k, dst);
        }
        if (r != NULL)
            return r;
    }
    return NULL;
}

/* mutate_for_encode breaks the field at dst in its variant-th way and
 * returns the error the encoder must give, or 1 when nothing applies. */
static int mutate_for_encode(const bn_field_desc *f, uint8_t *dst, int variant)
{
    switch (f->kind) {
    case BN_FK_U8:
    case BN_FK_U32:
    case BN_FK_U64: {
        if (variant != 0 || field_max(f) == type_max(f))
            return 1;
        uint64_t v = field_max(f) + 1;
        if (f->kind == BN_FK_U8) {
            *dst = (uint8_t)v;
        } else if (f->kind == BN_FK_U32) {
            uint32_t v32 = (uint32_t)v;
            memcpy(dst, &v32, sizeof v32);
        } else {
            memcpy(dst, &v, sizeof v);
        }
        return BN_ERANGE;
    }
    case BN_FK_BOOL:
        if (variant != 0)
            return 1;
        *dst = 2;
        return BN_ERANGE;
    case BN_FK_STR: {
        bn_str s;
        if (variant == 0) {
            char *p = palloc(f->a + 2);
            fill_text(p, (uint32_t)f->a + 1);
            s = (bn_str){p, (uint32_t)f->a + 1};
        } else if (variant == 1) {
            s = (bn_str){"a\0b", 3};
        } else if (variant == 2) {
            s = (bn_str){"a\xff", 2};
        } else if (variant == 3) {
            s = (bn_str){"\xed\xa0\x80", 3}; /* a surrogate */
        } else if (variant == 4) {
            s = (bn_str){NULL, 1};
        } else {
            return 1;
        }
        memcpy(dst, &s, sizeof s);
        return variant == 0 ? BN_ETOOLONG : variant == 4 ? BN_EINVAL : BN_ETYPE;
    }
    case BN_FK_BIN:
    case BN_FK_ENV: {
        bn_bin b;
        if (variant == 0)
            b = (bn_bin){palloc(f->a + 1), (uint32_t)f->a + 1};
        else if (variant == 1)
            b = (bn_bin){NULL, 1};
        else
            return 1;
        memcpy(dst, &b, sizeof b);
        return variant == 0 ? BN_ETOOLONG : BN_EINVAL;
    }
    case BN_FK_LIST: {
        if (variant != 0)
            return 1;
        uint32_t n = f->b + 1;
        void *v = palloc((size_t)n * f->elem->size);
        memcpy(dst, &v, sizeof v);
        memcpy(dst + sizeof(void *), &n, sizeof n);
        return BN_ECOUNT;
    }
    default:
        return 1;
    }
}

static void test_encoder_checks_every_field(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t t = 0; t < NMSGS; t++) {
        for (int k = 0;; k++) {
            int found = 0;
            for (int variant = 0; variant < 5; variant++) {
                fill_opts o = {S_SHORT, I_SMALL, 1, NULL, 5};
                bn_msg m;
                uint8_t *dst;
                fill_msg(&m, msgs[t].code, &o);
                int kk = k;
                const bn_field_desc *f =
                    locate(bn_msg_desc(m.type), (uint8_t *)&m.u, &kk, &dst);
                if (f == NULL)
                    break;
                found = 1;
                int want = mutate_for_encode(f, dst, variant);
                if (want == 1)
                    continue;
                bn_buf out = {0};
                assert_int_equal(bn_buf_append(&out, "abc", 3), 0);
                int rc = bn_msg_encode(&out, &m);
                if (rc != want)
                    fail_msg("%s field %s variant %d: %s, want %s",
                             msgs[t].name, f->name, variant, bn_err_name(rc),
                             bn_err_name(want));
                assert_int_equal(out.len, 3); /* left as it was */
                bn_buf_free(&out);
                checked++;
            }
            if (!found)
                break;
        }
        pool_teardown(NULL);
    }
    assert_true(checked > 100);

    bn_msg m;
    bn_buf out = {0};
    bn_msg_init(&m, 0x7f, 1);
    assert_int_equal(bn_msg_encode(&out, &m), BN_EUNKNOWNMSG);
    assert_int_equal(out.len, 0);
}

/* ---- the decoder on wrong items, field by field ---------------------- */

/*
 * A raw msgpack writer that mirrors the schema independently of the codec
 * and replaces the target-th field (preorder, as locate) by a wrong item.
 */
typedef struct raw {
    msgpack_packer pk;
    int target, k, variant, want;
    const bn_field_desc *hit;
} raw;

static void raw_fields(raw *r, const bn_struct_desc *d, const uint8_t *base);

static int raw_write(void *data, const char *p, size_t n)
{
    return bn_buf_append(data, p, n) == 0 ? 0 : -1;
}

static void raw_zero_struct(raw *r, const bn_struct_desc *d, int extra)
{
    uint8_t *z = palloc(d->size);
    int target = r->target;
    r->target = -1;
    msgpack_pack_array(&r->pk, d->nfields + extra);
    raw_fields(r, d, z);
    r->target = target;
}

/* raw_wrong writes the variant-th wrong item for f and returns the code
 * the decoder must give, or 1 (nothing written) when none applies. */
static int raw_wrong(raw *r, const bn_field_desc *f)
{
    msgpack_packer *pk = &r->pk;
    int v = r->variant;
    if (v == 0) {
        msgpack_pack_nil(pk);
        return BN_ETYPE;
    }
    switch (f->kind) {
    case BN_FK_U8:
    case BN_FK_U32:
    case BN_FK_U64:
        if (v == 1 && f->kind != BN_FK_U64) {
            msgpack_pack_uint64(pk, field_max(f) + 1);
            return BN_ERANGE;
        }
        if (v == 1 && field_max(f) < UINT64_MAX) {
            msgpack_pack_uint64(pk, field_max(f) + 1);
            return BN_ERANGE;
        }
        if (v == 2) {
            msgpack_pack_int64(pk, -1);
            return BN_ERANGE;
        }
        if (v == 3) {
            msgpack_pack_true(pk);
            return BN_ETYPE;
        }
        return 1;
    case BN_FK_I64:
        if (v == 1) {
            msgpack_pack_uint64(pk, (uint64_t)INT64_MAX + 1);
            return BN_ERANGE;
        }
        if (v == 2) {
            msgpack_pack_double(pk, 1.0);
            return BN_ETYPE;
        }
        return 1;
    case BN_FK_BOOL:
        if (v == 1) {
            msgpack_pack_uint64(pk, 1);
            return BN_ETYPE;
        }
        return 1;
    case BN_FK_STR: {
        static const char *bad[] = {"a\0b", "\xc3", "\xc0\x80",
                                    "\xf4\x90\x80\x80"};
        static const size_t badlen[] = {3, 1, 2, 4};
        if (v == 1) {
            char *p = palloc(f->a + 1);
            fill_text(p, (uint32_t)f->a + 1);
            msgpack_pack_str(pk, f->a + 1);
            msgpack_pack_str_body(pk, p, f->a + 1);
            return BN_ETOOLONG;
        }
        if (v >= 2 && v < 6) {
            msgpack_pack_str(pk, badlen[v - 2]);
            msgpack_pack_str_body(pk, bad[v - 2], badlen[v - 2]);
            return BN_ETYPE;
        }
        if (v == 6) {
            msgpack_pack_bin(pk, 1);
            msgpack_pack_bin_body(pk, "a", 1);
            return BN_ETYPE;
        }
        return 1;
    }
    case BN_FK_BIN:
    case BN_FK_ENV:
    case BN_FK_BINF: {
        size_t n = (size_t)f->a + 1;
        if (v == 1 || (v == 2 && f->kind == BN_FK_BINF)) {
            if (v == 2)
                n = (size_t)f->a - 1;
            uint8_t *p = palloc(n);
            msgpack_pack_bin(pk, n);
            msgpack_pack_bin_body(pk, p, n);
            return v == 1 ? BN_ETOOLONG : BN_ERANGE;
        }
        if (v == 3) {
            msgpack_pack_str(pk, 1);
            msgpack_pack_str_body(pk, "a", 1);
            return BN_ETYPE;
        }
        return 1;
    }
    case BN_FK_OBJ:
        if (v == 1) {
            raw_zero_struct(r, f->elem, 1);
            msgpack_pack_nil(pk);
            return BN_EPROTO;
        }
        if (v == 2 && f->elem->nfields > 0) {
            /* the fields but the last */
            uint8_t *z = palloc(f->elem->size);
            bn_struct_desc shorter = *f->elem;
            shorter.nfields--;
            int target = r->target;
            r->target = -1;
            msgpack_pack_array(pk, shorter.nfields);
            raw_fields(r, &shorter, z);
            r->target = target;
            return BN_EMISSING;
        }
        return 1;
    case BN_FK_LIST:
        if (v == 1) {
            msgpack_pack_array(pk, f->b + 1);
            for (uint32_t e = 0; e <= f->b; e++)
                raw_zero_struct(r, f->elem, 0);
            return BN_ECOUNT;
        }
        if (v == 2) {
            msgpack_pack_map(pk, 0);
            return BN_ETYPE;
        }
        if (v == 3) {
            msgpack_pack_array(pk, 1);
            raw_zero_struct(r, f->elem, 1);
            msgpack_pack_nil(pk);
            return BN_EPROTO;
        }
        return 1;
    default:
        return 1;
    }
}

static void raw_field(raw *r, const bn_field_desc *f, const uint8_t *src)
{
    msgpack_packer *pk = &r->pk;
    switch (f->kind) {
    case BN_FK_U8:
        msgpack_pack_uint64(pk, *src);
        break;
    case BN_FK_U32: {
        uint32_t v;
        memcpy(&v, src, sizeof v);
        msgpack_pack_uint64(pk, v);
        break;
    }
    case BN_FK_U64: {
        uint64_t v;
        memcpy(&v, src, sizeof v);
        msgpack_pack_uint64(pk, v);
        break;
    }
    case BN_FK_I64: {
        int64_t v;
        memcpy(&v, src, sizeof v);
        msgpack_pack_int64(pk, v);
        break;
    }
    case BN_FK_BOOL:
        if (*src)
            msgpack_pack_true(pk);
        else
            msgpack_pack_false(pk);
        break;
    case BN_FK_STR: {
        bn_str s;
        memcpy(&s, src, sizeof s);
        msgpack_pack_str(pk, s.len);
        msgpack_pack_str_body(pk, s.ptr, s.len);
        break;
    }
    case BN_FK_BIN:
    case BN_FK_ENV: {
        bn_bin b;
        memcpy(&b, src, sizeof b);
        msgpack_pack_bin(pk, b.len);
        msgpack_pack_bin_body(pk, b.ptr, b.len);
        break;
    }
    case BN_FK_BINF:
        msgpack_pack_bin(pk, (size_t)f->a);
        msgpack_pack_bin_body(pk, src, (size_t)f->a);
        break;
    case BN_FK_OBJ:
        msgpack_pack_array(pk, f->elem->nfields);
        raw_fields(r, f->elem, src);
        break;
    case BN_FK_LIST: {
        const uint8_t *v;
        uint32_t n;
        memcpy(&v, src, sizeof v);
        memcpy(&n, src + sizeof(void *), sizeof n);
        msgpack_pack_array(pk, n);
        for (uint32_t e = 0; e < n; e++) {
            msgpack_pack_array(pk, f->elem->nfields);
            raw_fields(r, f->elem, v + (size_t)e * f->elem->size);
        }
        break;
    }
    }
}

static void raw_fields(raw *r, const bn_struct_desc *d, const uint8_t *base)
{
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        if (r->target >= 0 && r->k++ == r->target) {
            r->hit = f;
            r->want = raw_wrong(r, f);
            if (r->want != 1)
                continue;
        }
        raw_field(r, f, base + f->offset);
    }
}

static void raw_msg(raw *r, bn_buf *out, const bn_msg *m)
{
    const bn_struct_desc *d = bn_msg_desc(m->type);
    msgpack_packer_init(&r->pk, out, raw_write);
    msgpack_pack_array(&r->pk, 2 + d->nfields);
    msgpack_pack_uint64(&r->pk, m->type);
    msgpack_pack_uint64(&r->pk, m->id);
    raw_fields(r, d, (const uint8_t *)&m->u);
}

static void test_decoder_checks_every_field(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t t = 0; t < NMSGS; t++) {
        fill_opts o = {S_SHORT, I_SMALL, 1, NULL, 9};
        bn_msg m, d;
        fill_msg(&m, msgs[t].code, &o);

        /* Unmodified, the raw writer and the codec agree byte for byte. */
        raw r = {.target = -1};
        bn_buf a = {0}, b = {0};
        raw_msg(&r, &a, &m);
        assert_int_equal(bn_msg_encode(&b, &m), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        bn_buf_free(&a);
        bn_buf_free(&b);

        for (int k = 0;; k++) {
            int found = 0;
            for (int variant = 0; variant < 8; variant++) {
                raw w = {.target = k, .variant = variant};
                bn_buf out = {0};
                raw_msg(&w, &out, &m);
                if (w.hit == NULL) {
                    bn_buf_free(&out);
                    break;
                }
                found = 1;
                if (w.want != 1) {
                    int rc = bn_msg_decode(&d, out.data, out.len);
                    if (rc != w.want)
                        fail_msg("%s field %d (%s) variant %d: %s, want %s",
                                 msgs[t].name, k, w.hit->name, variant,
                                 bn_err_name(rc), bn_err_name(w.want));
                    assert_null(d.arena);
                    checked++;
                }
                bn_buf_free(&out);
            }
            if (!found)
                break;
        }
        pool_teardown(NULL);
    }
    assert_true(checked > 300);
}

/* Every prefix of every message fails cleanly; a trailing byte fails. */
static void test_truncated_and_trailing(void **state)
{
    (void)state;
    for (size_t t = 0; t < NMSGS; t++) {
        fill_opts o = {S_SHORT, I_SMALL, 1, NULL, 11};
        bn_msg m, d;
        bn_buf out = {0};
        fill_msg(&m, msgs[t].code, &o);
        assert_int_equal(bn_msg_encode(&out, &m), 0);
        for (size_t n = 0; n < out.len; n++) {
            /* a copy of exactly n bytes, so ASan sees any over-read */
            uint8_t *cut = malloc(n ? n : 1);
            assert_non_null(cut);
            memcpy(cut, out.data, n);
            int rc = bn_msg_decode(&d, cut, n);
            free(cut);
            if (rc != BN_ETRUNC && rc != BN_ECOUNT)
                fail_msg("%s cut at %zu of %zu: %s", msgs[t].name, n, out.len,
                         bn_err_name(rc));
            assert_null(d.arena);
            bn_msg_free(&d);
        }
        assert_int_equal(bn_buf_append(&out, "\x00", 1), 0);
        assert_int_equal(bn_msg_decode(&d, out.data, out.len), BN_ETRAILING);
        bn_buf_free(&out);
        pool_teardown(NULL);
    }
}

static void test_names_and_lookups(void **state)
{
    (void)state;
    assert_string_equal(bn_msg_name(BN_MSG_NOTE_PUT), "NOTE_PUT");
    assert_string_equal(bn_msg_name(BN_MSG_ERROR), "ERROR");
    assert_string_equal(bn_msg_name(0), "UNKNOWN");
    assert_string_equal(bn_msg_name(0xfe), "UNKNOWN");
    assert_string_equal(bn_msg_name(0xffff), "UNKNOWN");
    assert_true(bn_msg_known(BN_MSG_LOG));
    assert_false(bn_msg_known(0));
    assert_false(bn_msg_known(0x1ff));
    assert_ptr_equal(bn_msg_desc(BN_MSG_NOTE_PUT), &bn_desc_note_put);
    assert_null(bn_msg_desc(0xee));
    assert_int_equal(bn_desc_whoami.nfields, 0);
    assert_int_equal(bn_desc_note_put.nfields, 10); /* side_only last */
    assert_string_equal(bn_desc_note_put.fields[9].name, "side_only");
    assert_string_equal(bn_desc_note_put.fields[7].name, "envelope");
    assert_int_equal(bn_desc_note_put.fields[7].kind, BN_FK_ENV);
    for (size_t t = 0; t < NMSGS; t++) {
        assert_true(bn_msg_known(msgs[t].code));
        assert_string_equal(bn_msg_name(msgs[t].code), msgs[t].name);
    }
    bn_msg_free(NULL);
    bn_arena_free(NULL);
    void *empty = NULL;
    bn_arena_free(&empty);

    assert_int_equal(bn_str_check("abc", 3, 3), 0);
    assert_int_equal(bn_str_check("abcd", 4, 3), BN_ETOOLONG);
    assert_int_equal(bn_str_check("\xc3\xa9t\xc3\xa9", 5, 5), 0);
    assert_int_equal(bn_str_check("a\0", 2, 5), BN_ETYPE);
    assert_int_equal(bn_str_check("\xe2\x82", 2, 5), BN_ETYPE);
    assert_int_equal(bn_str_check(NULL, 0, 5), 0);
    assert_int_equal(bn_str_check(NULL, 1, 5), BN_EINVAL);
}

/* ---- generic structures with test-local descriptors ----------------- */

#define BN_F_t_inner(F, T)                                                     \
    F(T, U32, x, 1000, 0)                                                      \
    F(T, STR, s, 8, 0)
#define BN_F_t_rec(F, T)                                                       \
    F(T, U64, id, 0, 0)                                                        \
    F(T, LIST, items, t_inner, 3)                                              \
    F(T, OBJ, one, t_inner, 0)                                                 \
    F(T, ENV, env, 16, 0)
#define BN_F_t_d5(F, T) F(T, U8, x, 0, 0)
#define BN_F_t_d4(F, T) F(T, OBJ, o, t_d5, 0)
#define BN_F_t_d3(F, T) F(T, OBJ, o, t_d4, 0)
#define BN_F_t_d2(F, T) F(T, OBJ, o, t_d3, 0)
#define BN_F_t_d1(F, T) F(T, OBJ, o, t_d2, 0)
#define BN_F_t_d0(F, T) F(T, OBJ, o, t_d1, 0)
#define T_STRUCTS(X)                                                           \
    X(t_inner) X(t_rec) X(t_d5) X(t_d4) X(t_d3) X(t_d2) X(t_d1) X(t_d0)
T_STRUCTS(BN__STRUCT_TYPEDEF)
T_STRUCTS(BN__DESC_EXTERN)
T_STRUCTS(BN_STRUCT_DESC)

static void test_struct_codec(void **state)
{
    (void)state;
    bn_t_inner items[2] = {{7, {"seven", 5}, 0}, {1000, {"", 0}, 0}};
    bn_t_rec r = {0}, d, e;
    r.id = 99;
    r.items.v = items;
    r.items.len = 2;
    r.one.x = 3;
    r.one.s = (bn_str){"abcdefgh", 8};
    r.env = (bn_bin){(const uint8_t *)"0123456789abcdef", 16};

    bn_buf out = {0};
    void *arena = NULL;
    assert_int_equal(bn_struct_encode(&out, &bn_desc_t_rec, &r), 0);
    assert_int_equal(
        bn_struct_decode(&bn_desc_t_rec, &d, out.data, out.len, &arena), 0);
    cmp_struct("t_rec", &bn_desc_t_rec, (uint8_t *)&r, (uint8_t *)&d);
    assert_non_null(arena);
    /* A second decode chains on the same arena; the first stays valid. */
    void *first = arena;
    assert_int_equal(
        bn_struct_decode(&bn_desc_t_rec, &e, out.data, out.len, &arena), 0);
    assert_ptr_not_equal(arena, first);
    cmp_struct("t_rec", &bn_desc_t_rec, (uint8_t *)&d, (uint8_t *)&e);
    /* A failing decode adds nothing and zeroes its output. */
    assert_int_equal(
        bn_struct_decode(&bn_desc_t_rec, &e, out.data, out.len - 1, &arena),
        BN_ETRUNC);
    assert_int_equal(e.id, 0);
    assert_null(e.items.v);
    bn_arena_free(&arena);
    assert_null(arena);

    /* A message is not a structure: two more items than t_rec's fields. */
    bn_msg m;
    bn_buf mb = {0};
    bn_msg_init(&m, BN_MSG_NOTE_LIST, 1);
    assert_int_equal(bn_msg_encode(&mb, &m), 0);
    assert_int_equal(
        bn_struct_decode(&bn_desc_note_list, &e, mb.data, mb.len, &arena),
        BN_EPROTO);
    assert_null(arena);

    /* Limits hold for structures as for messages. */
    r.items.len = 4;
    bn_buf_reset(&out);
    assert_int_equal(bn_struct_encode(&out, &bn_desc_t_rec, &r), BN_ECOUNT);
    assert_int_equal(out.len, 0);
    r.items.len = 2;
    items[1].x = 1001;
    assert_int_equal(bn_struct_encode(&out, &bn_desc_t_rec, &r), BN_ERANGE);

    /* Five nested arrays are allowed, six are not, either way. */
    bn_t_d1 d1 = {0};
    bn_t_d0 d0 = {0};
    bn_buf_reset(&out);
    assert_int_equal(bn_struct_encode(&out, &bn_desc_t_d1, &d1), 0);
    assert_int_equal(
        bn_struct_decode(&bn_desc_t_d1, &d1, out.data, out.len, &arena), 0);
    bn_buf_reset(&out);
    assert_int_equal(bn_struct_encode(&out, &bn_desc_t_d0, &d0), BN_EDEPTH);
    assert_int_equal(out.len, 0);
    static const uint8_t six[] = {0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x00};
    assert_int_equal(
        bn_struct_decode(&bn_desc_t_d0, &d0, six, sizeof six, &arena),
        BN_EDEPTH);
    assert_null(arena);
    bn_buf_free(&out);
    bn_buf_free(&mb);
}

/* ---- seed corpora for the fuzzers ----------------------------------- */

static int write_file(const char *dir, const char *sub, const char *name,
                      const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n) {
        perror(path);
        if (f != NULL)
            fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

/* write_seeds writes one compact message per type for fuzz_msg, and for
 * fuzz_frame a few streams: [piece-size seed, flags] then frames. */
static int write_seeds(const char *dir)
{
    bn_buf stream = {0};
    int bad = 0, nframes = 0;
    for (size_t t = 0; t < NMSGS; t++) {
        fill_opts o = {S_SHORT, I_SMALL, 1, NULL, (uint8_t)t};
        bn_msg m;
        bn_buf out = {0};
        char name[64];
        uint8_t hdr[BN_FRAME_HDR];
        fill_msg(&m, msgs[t].code, &o);
        if (bn_msg_encode(&out, &m) != 0)
            return 1;
        snprintf(name, sizeof name, "%s.bin", msgs[t].name);
        bad |= write_file(dir, "fuzz_msg", name, out.data, out.len);

        if (stream.len == 0)
            bad |= bn_buf_append(&stream, "\x05\x00", 2) != 0;
        bn_frame_header(hdr, (uint32_t)out.len);
        bad |= bn_buf_append(&stream, hdr, sizeof hdr) != 0;
        bad |= bn_buf_append(&stream, out.data, out.len) != 0;
        if (++nframes == 8 || t + 1 == NMSGS) {
            snprintf(name, sizeof name, "stream%zu.bin", t);
            stream.data[0] = (uint8_t)t;       /* piece sizes */
            stream.data[1] = (uint8_t)(t & 1); /* 1: post-login limit */
            bad |= write_file(dir, "fuzz_frame", name, stream.data, stream.len);
            bn_buf_reset(&stream);
            nframes = 0;
        }
        bn_buf_free(&out);
    }
    /* a zero-length frame, then a partial one */
    static const uint8_t tail[] = {0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 9, 0x93};
    bad |= write_file(dir, "fuzz_frame", "empty_and_partial.bin", tail,
                      sizeof tail);
    bn_buf_free(&stream);
    pool_teardown(NULL);
    return bad;
}

/* The tool `unit_runner --tool seeds DIR`: the fuzzers' seed corpora in
 * DIR; returns the exit status. */
int bn_unit_tool_seeds(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: unit_runner --tool seeds DIR\n");
        return 2;
    }
    return write_seeds(argv[1]);
}

BN_UNIT_GROUP(proto);
