/*
 * bnd_project.c: the record -> wire copies of bnd_project.h, derived from
 * the two structure descriptions of each row (resolved once, then a
 * memcpy per shared field).
 */
#include "bnd_project.h"

#include <pthread.h>
#include <string.h>

typedef struct row {
    const bn_struct_desc *rec, *wire;
    const char *by_hand;
} row;

static const row rows[BND_PROJ_COUNT] = {
#define BND__PROJ_ROW(rec, wire, by_hand)                                      \
    [BND_PROJ_##wire] = {&bn_desc_##rec, &bn_desc_##wire, by_hand},
    BND_PROJECTIONS(BND__PROJ_ROW)
#undef BND__PROJ_ROW
};

/* One copy: size bytes from the record at from to the wire at to. */
typedef struct step {
    size_t from, to, size;
} step;

#define BND_PROJ_FIELDS_MAX 32

static struct plan {
    step steps[BND_PROJ_FIELDS_MAX];
    size_t n;
} plans[BND_PROJ_COUNT];
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

static const bn_field_desc *find(const bn_struct_desc *d, const char *name)
{
    for (size_t i = 0; i < d->nfields; i++)
        if (strcmp(d->fields[i].name, name) == 0)
            return &d->fields[i];
    return NULL;
}

/* named says whether name is a word of the space-separated list. */
static int named(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* bound_ok: the record's bound fits the wire's (0 is the type's max for
 * integers, and has no meaning for the other kinds' a but BINF's). */
static int bound_ok(const bn_field_desc *r, const bn_field_desc *w)
{
    switch (w->kind) {
    case BN_FK_U8:
    case BN_FK_U32:
    case BN_FK_U64:
        return w->a == 0 || (r->a != 0 && r->a <= w->a);
    case BN_FK_BINF:
        return r->a == w->a;
    case BN_FK_STR:
    case BN_FK_BIN:
    case BN_FK_ENV:
        return r->a <= w->a;
    default:
        return 1;
    }
}

int bnd_projection_check(enum bnd_projection p, const char **field)
{
    const row *rw = &rows[p];

    for (size_t i = 0; i < rw->wire->nfields; i++) {
        const bn_field_desc *w = &rw->wire->fields[i];
        const bn_field_desc *r = find(rw->rec, w->name);
        int ok = named(rw->by_hand, w->name) ||
                 (r != NULL && r->kind == w->kind && bn_field_scalar_size(w) != 0 &&
                  bound_ok(r, w));
        if (!ok) {
            *field = w->name;
            return BN_EINVAL;
        }
    }
    /* every name listed is a wire field */
    for (const char *s = rw->by_hand; *s != '\0';) {
        size_t n = strcspn(s, " ");
        int found = 0;
        for (size_t i = 0; i < rw->wire->nfields && !found; i++)
            found = strlen(rw->wire->fields[i].name) == n &&
                    memcmp(rw->wire->fields[i].name, s, n) == 0;
        if (!found) {
            *field = s;
            return BN_EINVAL;
        }
        s += n;
        s += strspn(s, " ");
    }
    return 0;
}

/* make_plans resolves every row's copies (fields that pass the check). */
static void make_plans(void)
{
    for (int p = 0; p < BND_PROJ_COUNT; p++) {
        const row *rw = &rows[p];
        struct plan *pl = &plans[p];
        for (size_t i = 0; i < rw->wire->nfields; i++) {
            const bn_field_desc *w = &rw->wire->fields[i];
            const bn_field_desc *r = find(rw->rec, w->name);
            if (named(rw->by_hand, w->name) || r == NULL ||
                r->kind != w->kind || !bound_ok(r, w) || bn_field_scalar_size(w) == 0 ||
                pl->n == BND_PROJ_FIELDS_MAX)
                continue; /* filled by the caller (or refused by the test) */
            pl->steps[pl->n++] = (step){r->offset, w->offset, bn_field_scalar_size(w)};
        }
    }
}

void bnd_project(enum bnd_projection p, const void *rec, void *out)
{
    const struct plan *pl;

    pthread_once(&plans_once, make_plans);
    pl = &plans[p];
    memset(out, 0, rows[p].wire->size);
    for (size_t i = 0; i < pl->n; i++)
        memcpy((char *)out + pl->steps[i].to,
               (const char *)rec + pl->steps[i].from, pl->steps[i].size);
}

void bnd_projection_names(enum bnd_projection p, const char **rec,
                          const char **wire)
{
    *rec = rows[p].rec->name;
    *wire = rows[p].wire->name;
}
