/* test_cli_project: the wire -> public projections of bnc_project.h: every
 * field of each wire structure is shown or named as not shown exactly
 * once, kinds and sizes agree, every structure of the schema is accounted
 * for, and a projection copies what its row says and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_list.h"

#include <stdio.h>
#include <string.h>

#include "bnc_internal.h"

#define BUF_MAX 8192

static const bn_field_desc *wire_field(const bn_struct_desc *d,
                                       const char *name)
{
    for (size_t i = 0; i < d->nfields; i++)
        if (strcmp(d->fields[i].name, name) == 0)
            return &d->fields[i];
    return NULL;
}

static const bnc__projection *row_named(const char *name)
{
    for (int p = 0; p < BNC__PROJ_COUNT; p++)
        if (strcmp(bnc__projections[p].name, name) == 0)
            return &bnc__projections[p];
    return NULL;
}

/* Every wire field is listed exactly once (shown, or named HAND or
 * HIDDEN); every name listed is a wire field, but PUB names, which are
 * not. This is what fails when the schema gains a field no row knows. */
static void test_every_field_listed(void **state)
{
    (void)state;
    for (int p = 0; p < BNC__PROJ_COUNT; p++) {
        const bnc__projection *r = &bnc__projections[p];
        for (size_t i = 0; i < r->wire->nfields; i++) {
            const char *w = r->wire->fields[i].name;
            int seen = 0;
            for (size_t j = 0; j < r->nfields; j++)
                seen += r->fields[j].how != BNC_PROJ_PUB &&
                        strcmp(r->fields[j].name, w) == 0;
            if (seen != 1)
                fail_msg("%s -> %s: wire field %s is listed %d times in "
                         "BNC_PROJ_%s (shown, HAND or HIDDEN: once)",
                         r->wire->name, r->pub, w, seen, r->name);
        }
        for (size_t j = 0; j < r->nfields; j++) {
            const bnc__proj_field *f = &r->fields[j];
            int on_wire = wire_field(r->wire, f->name) != NULL;
            if (on_wire != (f->how != BNC_PROJ_PUB))
                fail_msg("%s: %s is %s", r->name, f->name,
                         on_wire ? "a wire field listed as PUB"
                                 : "listed but not a wire field");
            for (size_t k = 0; k < j; k++)
                if (strcmp(r->fields[k].name, f->name) == 0)
                    fail_msg("%s: %s listed twice", r->name, f->name);
        }
    }
}

/* A shown field has the kind its row says and a public field of its
 * size: SAME the wire's C size, BYTES the wire's length, STR room for the
 * longest string the wire accepts and its NUL, OBJ the structure of the
 * row named, whose wire structure is the field's. */
static void test_kinds_and_sizes(void **state)
{
    (void)state;
    for (int p = 0; p < BNC__PROJ_COUNT; p++) {
        const bnc__projection *r = &bnc__projections[p];
        for (size_t j = 0; j < r->nfields; j++) {
            const bnc__proj_field *f = &r->fields[j];
            const bn_field_desc *w = wire_field(r->wire, f->name);
            const bnc__projection *sub;
            int ok = 1;
            switch (f->how) {
            case BNC_PROJ_SAME:
                ok = (w->kind == BN_FK_U8 || w->kind == BN_FK_U32 ||
                      w->kind == BN_FK_U64 || w->kind == BN_FK_I64 ||
                      w->kind == BN_FK_BOOL) &&
                     f->size == bn_field_scalar_size(w);
                break;
            case BNC_PROJ_BYTES:
                ok = w->kind == BN_FK_BINF && f->size == w->a;
                break;
            case BNC_PROJ_STR:
                ok = w->kind == BN_FK_STR && f->size >= w->a + 1;
                break;
            case BNC_PROJ_OBJ:
                sub = row_named(f->sub);
                ok = w->kind == BN_FK_OBJ && sub != NULL &&
                     sub->wire == w->elem && f->size == sub->pub_size;
                break;
            default:
                break;
            }
            if (!ok)
                fail_msg("%s: %s (public size %zu) does not match wire "
                         "field kind %u bound %llu",
                         r->name, f->name, f->size, w->kind,
                         (unsigned long long)w->a);
        }
    }
}

/* Every structure of the schema is shown by a row or named in
 * BNC_WIRE_UNSHOWN, not both. */
static void test_every_structure(void **state)
{
    static const bn_struct_desc *unshown[] = {
#define U(name) &bn_desc_##name,
        BNC_WIRE_UNSHOWN(U)
#undef U
    };
    static const bn_struct_desc *all[] = {
#define S(name) &bn_desc_##name,
        BN_STRUCTS(S)
#undef S
    };
    (void)state;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        int shown = 0, named = 0;
        for (int p = 0; p < BNC__PROJ_COUNT; p++)
            shown += bnc__projections[p].wire == all[i];
        for (size_t k = 0; k < sizeof unshown / sizeof unshown[0]; k++)
            named += unshown[k] == all[i];
        if (shown + named != 1)
            fail_msg("wire structure %s: shown by %d rows and named %d "
                     "times in BNC_WIRE_UNSHOWN (one of them, once)",
                     all[i]->name, shown, named);
    }
}

/* fill gives every byte of every scalar field of d in s a value that
 * depends on the field's name, so that a field copied from the wrong
 * place shows; strings and binaries point at the name; nested structures
 * are filled alike; lists stay empty. */
static void fill(const bn_struct_desc *d, uint8_t *s)
{
    memset(s, 0, d->size);
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        uint8_t *at = s + f->offset;
        uint8_t seed = (uint8_t)(strlen(f->name) * 31 + f->name[0]);
        if (f->kind == BN_FK_STR) {
            *(bn_str *)at = (bn_str){f->name, (uint32_t)strlen(f->name)};
        } else if (f->kind == BN_FK_BIN || f->kind == BN_FK_ENV) {
            *(bn_bin *)at =
                (bn_bin){(const uint8_t *)f->name, (uint32_t)strlen(f->name)};
        } else if (f->kind == BN_FK_OBJ) {
            fill(f->elem, at);
        } else {
            for (size_t j = 0; j < bn_field_scalar_size(f); j++)
                at[j] = (uint8_t)(seed + j);
        }
    }
}

/* check_row checks pub, projected from wire by row r: each shown field
 * holds the wire's (a string its text), and every byte no shown field
 * covers (HAND and PUB fields, padding) is zero. */
static void check_row(const bnc__projection *r, const uint8_t *pub,
                      const uint8_t *wire)
{
    uint8_t covered[BUF_MAX];

    memset(covered, 0, r->pub_size);
    for (size_t j = 0; j < r->nfields; j++) {
        const bnc__proj_field *f = &r->fields[j];
        const bn_field_desc *w = wire_field(r->wire, f->name);
        const uint8_t *at = pub + f->offset;
        switch (f->how) {
        case BNC_PROJ_SAME:
        case BNC_PROJ_BYTES:
            assert_memory_equal(at, wire + w->offset, f->size);
            break;
        case BNC_PROJ_STR:
            assert_string_equal((const char *)at, f->name);
            /* the rest of the array: zeros */
            memset(covered + f->offset, 1, strlen(f->name) + 1);
            continue;
        case BNC_PROJ_OBJ:
            check_row(row_named(f->sub), at, wire + w->offset);
            break;
        default:
            continue;
        }
        memset(covered + f->offset, 1, f->size);
    }
    for (size_t k = 0; k < r->pub_size; k++)
        if (!covered[k] && pub[k] != 0)
            fail_msg("%s: byte %zu of %s is %#x, not 0 (not a shown field)",
                     r->name, k, r->pub, pub[k]);
}

/* Each row's bnc__project_<name> copies what its row says. */
static void test_copies(void **state)
{
    _Alignas(max_align_t) uint8_t wire[BUF_MAX];
    _Alignas(max_align_t) uint8_t pub[BUF_MAX];
    (void)state;
    for (int p = 0; p < BNC__PROJ_COUNT; p++) {
        const bnc__projection *r = &bnc__projections[p];
        assert_true(r->wire->size <= BUF_MAX && r->pub_size <= BUF_MAX);
        fill(r->wire, wire);
        memset(pub, 0xee, sizeof pub);
        r->project(pub, wire);
        check_row(r, pub, wire);
        for (size_t k = r->pub_size; k < sizeof pub; k++)
            assert_int_equal(pub[k], 0xee);
    }
}

/* A string longer than its public array (the decoder refuses one, but a
 * copy must not rely on it) is cut to the array, NUL-terminated, and
 * nothing after the structure is written. */
static void test_strings_bounded(void **state)
{
    _Alignas(max_align_t) uint8_t wire[BUF_MAX];
    _Alignas(max_align_t) uint8_t pub[BUF_MAX];
    static char long_text[1024];
    (void)state;
    memset(long_text, 'x', sizeof long_text - 1);
    for (int p = 0; p < BNC__PROJ_COUNT; p++) {
        const bnc__projection *r = &bnc__projections[p];
        fill(r->wire, wire);
        for (size_t j = 0; j < r->nfields; j++)
            if (r->fields[j].how == BNC_PROJ_STR)
                *(bn_str *)(wire +
                            wire_field(r->wire, r->fields[j].name)->offset) =
                    (bn_str){long_text, sizeof long_text - 1};
        memset(pub, 0xee, sizeof pub);
        r->project(pub, wire);
        for (size_t j = 0; j < r->nfields; j++) {
            const bnc__proj_field *f = &r->fields[j];
            if (f->how != BNC_PROJ_STR)
                continue;
            assert_int_equal(strlen((const char *)pub + f->offset),
                             f->size - 1);
        }
        for (size_t k = r->pub_size; k < sizeof pub; k++)
            assert_int_equal(pub[k], 0xee);
    }
}

/* The typed form, on an account and a programme inside statistics. */
static void test_account_and_stats(void **state)
{
    struct bn_account_info i;
    bn_stats w;
    bnc_account a;
    bnc_stats s;
    (void)state;
    memset(&i, 0, sizeof i);
    i.id = 42;
    i.role = BN_ROLE_MENTEE;
    i.name = (bn_str){"Aïcha", (uint32_t)strlen("Aïcha")};
    i.programme_id = 7;
    memset(i.sign_pk, 0x11, sizeof i.sign_pk);
    memset(i.box_pk, 0x22, sizeof i.box_pk);
    i.created = -5;
    memset(&a, 0xff, sizeof a);
    bnc__project_account(&a, &i);
    assert_true(a.id == 42 && a.role == BNC_ROLE_MENTEE &&
                a.programme_id == 7 && a.created == -5);
    assert_string_equal(a.name, "Aïcha");
    assert_true(a.sign_pk[0] == 0x11 && a.sign_pk[31] == 0x11 &&
                a.box_pk[0] == 0x22 && a.box_pk[31] == 0x22);

    memset(&w, 0, sizeof w);
    w.programme.id = 3;
    w.programme.name = (bn_str){"P", 1};
    w.programme.frequency = BN_FREQ_MONTHLY;
    w.today = 20000;
    w.objectives_reached = 9;
    memset(&s, 0xff, sizeof s);
    bnc__project_stats(&s, &w);
    assert_true(s.programme.id == 3 && s.programme.frequency == 3 &&
                s.today == 20000 && s.objectives_reached == 9);
    assert_string_equal(s.programme.name, "P");
    assert_null(s.months);
    assert_null(s.pairs);
    assert_true(s.nmonths == 0 && s.npairs == 0);
}

BN_UNIT_GROUP(cli_project);
