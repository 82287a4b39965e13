/* test_srv_project: the record -> wire projections of bnd_project.h: each
 * row agrees with its two descriptions, and a projection copies every
 * shared field and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_list.h"

#include <stdio.h>
#include <string.h>

#include "bnd_project.h"

/* Every row passes its check: no wire field is silently left empty. */
static void test_rows_agree(void **state)
{
    (void)state;
    for (int p = 0; p < BND_PROJ_COUNT; p++) {
        const char *field = NULL, *rec, *wire;
        bnd_projection_names(p, &rec, &wire);
        if (bnd_projection_check(p, &field) != 0)
            fail_msg("%s -> %s: field %s is neither shared (same name, kind "
                     "and a bound the wire carries) nor filled by hand",
                     rec, wire, field);
    }
}

/* fill gives every byte of every scalar field of d in s a value that
 * depends on the field's name, so that a field copied to the wrong place
 * shows. Strings and binaries point at the name. */
static void fill(const bn_struct_desc *d, void *s)
{
    memset(s, 0, d->size);
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        uint8_t *at = (uint8_t *)s + f->offset;
        uint8_t seed = (uint8_t)(strlen(f->name) * 31 + f->name[0]);
        size_t n = f->kind == BN_FK_U8 || f->kind == BN_FK_BOOL   ? 1
                   : f->kind == BN_FK_U32                         ? 4
                   : f->kind == BN_FK_U64 || f->kind == BN_FK_I64 ? 8
                   : f->kind == BN_FK_BINF                        ? f->a
                                                                  : 0;
        for (size_t j = 0; j < n; j++)
            at[j] = (uint8_t)(seed + j);
        if (f->kind == BN_FK_STR)
            *(bn_str *)at = (bn_str){f->name, (uint32_t)strlen(f->name)};
        if (f->kind == BN_FK_BIN || f->kind == BN_FK_ENV)
            *(bn_bin *)at =
                (bn_bin){(const uint8_t *)f->name, (uint32_t)strlen(f->name)};
    }
}

static const bn_field_desc *find(const bn_struct_desc *d, const char *name)
{
    for (size_t i = 0; i < d->nfields; i++)
        if (strcmp(d->fields[i].name, name) == 0)
            return &d->fields[i];
    return NULL;
}

/* csize: the bytes of w compared: a pointer's worth for OBJ and LIST. */
static size_t csize(const bn_field_desc *f)
{
    size_t n = bn_field_scalar_size(f);
    return n != 0 ? n : sizeof(void *);
}

/* named: name is a word of the space-separated list. */
static int named(const char *list, const char *name)
{
    char padded[256], word[64];
    snprintf(padded, sizeof padded, " %s ", list);
    snprintf(word, sizeof word, " %s ", name);
    return strstr(padded, word) != NULL;
}

/* Each wire field holds the record's field of its name, or zeros when
 * the caller fills it. */
static void check_projection(const bn_struct_desc *rd, const bn_struct_desc *wd,
                             enum bnd_projection p, const char *by_hand)
{
    uint8_t rec[2048], out[2048];
    static const uint8_t zeros[256];
    assert_true(rd->size <= sizeof rec && wd->size <= sizeof out);
    fill(rd, rec);
    memset(out, 0xee, sizeof out);
    bnd_project(p, rec, out);
    for (size_t i = 0; i < wd->nfields; i++) {
        const bn_field_desc *w = &wd->fields[i];
        const bn_field_desc *r = find(rd, w->name);
        if (r != NULL && !named(by_hand, w->name))
            assert_memory_equal(out + w->offset, rec + r->offset, csize(w));
        else
            assert_memory_equal(out + w->offset, zeros, csize(w));
    }
}

static void test_copies(void **state)
{
    (void)state;
#define CHECK(rec, wire, by_hand)                                              \
    check_projection(&bn_desc_##rec, &bn_desc_##wire, BND_PROJ_##wire, by_hand);
    BND_PROJECTIONS(CHECK)
#undef CHECK
}

/* The typed form, on a pair: ids and state copied, names left to fill. */
static void test_pair(void **state)
{
    bn_rec_pair p;
    bn_pair_info o;
    (void)state;
    memset(&p, 0, sizeof p);
    p.id = 7;
    p.programme_id = 3;
    p.mentor_id = 11;
    p.mentee_id = 12;
    p.status = BN_PAIR_ACTIVE;
    p.accepted = 3;
    p.start_date = 20000;
    p.end_reason = 2;
    p.ended_by = 12;
    p.epoch = 4;
    p.log_seq = 99; /* not on the wire */
    memset(&o, 0xff, sizeof o);
    bnd_project_pair_info(&p, &o);
    assert_true(o.id == 7 && o.programme_id == 3 && o.mentor_id == 11 &&
                o.mentee_id == 12 && o.status == BN_PAIR_ACTIVE &&
                o.accepted == 3 && o.start_date == 20000 && o.end_date == 0 &&
                o.end_reason == 2 && o.ended_by == 12 && o.epoch == 4);
    assert_null(o.mentor_name.ptr);
    assert_int_equal(o.mentee_name.len, 0);
}

BN_UNIT_GROUP(srv_project);
