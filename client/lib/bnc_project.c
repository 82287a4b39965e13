/*
 * bnc_project.c: the wire -> public copies of bnc_project.h, one function
 * per row generated from its field list (with the compile-time checks of
 * each field), and the rows as data for test_cli_project.
 */
#include "bnc_project.h"
#include "bnc_internal.h"

#include <stddef.h>
#include <string.h>

/* A code per integer type: SAME needs the same one on both sides (0: not
 * an integer, refused). */
#define TYPE_CODE(x)                                                           \
    _Generic((x), uint8_t : 1, uint16_t : 2, uint32_t : 3, uint64_t : 4,       \
             int8_t : 5, int16_t : 6, int32_t : 7, int64_t : 8, default : 0)

/* A person's name (a field named *name) that the server sends empty is an
 * erased account's (issue 15: nobody joins without a name): it reads
 * BNC_ERASED_NAME. */
static void bnc__erased_name(const char *field, char *s, size_t size)
{
    size_t n = strlen(field);

    if (s[0] == '\0' && n >= 4 && strcmp(field + n - 4, "name") == 0 &&
        size > sizeof BNC_ERASED_NAME)
        memcpy(s, BNC_ERASED_NAME, sizeof BNC_ERASED_NAME);
}

#define COPY(T, how, ...) COPY_##how(__VA_ARGS__)
#define COPY_SAME(f)                                                           \
    _Static_assert(TYPE_CODE(out->f) != 0 &&                                   \
                       TYPE_CODE(out->f) == TYPE_CODE(in->f),                  \
                   #f ": SAME needs the same integer type on both sides");     \
    out->f = in->f;
#define COPY_BYTES(f)                                                          \
    _Static_assert(sizeof out->f == sizeof in->f,                              \
                   #f ": BYTES needs arrays of the same size");                \
    memcpy(out->f, in->f, sizeof out->f);
#define COPY_STR(f)                                                            \
    _Static_assert(_Generic(in->f, bn_str : 1, default : 0),                   \
                   #f ": STR needs a wire string");                            \
    _Static_assert(_Generic(&out->f[0], char * : 1, default : 0) &&            \
                       sizeof out->f > sizeof(char *),                         \
                   #f ": STR needs a char array");                             \
    bnc__copy_str(out->f, sizeof out->f, in->f);                               \
    bnc__erased_name(#f, out->f, sizeof out->f);
#define COPY_OBJ(f, sub) bnc__project_##sub(&out->f, &in->f);
#define COPY_HAND(f)                                                           \
    _Static_assert(sizeof in->f > 0, #f ": HAND names a wire field");
#define COPY_HIDDEN(f)                                                         \
    _Static_assert(sizeof in->f > 0, #f ": HIDDEN names a wire field");
#define COPY_PUB(f)                                                            \
    _Static_assert(sizeof out->f > 0, #f ": PUB names a public field");

#define PROJ_FN(name, P, W)                                                    \
    void bnc__project_##name(P *out, const struct bn_##W *in)                  \
    {                                                                          \
        memset(out, 0, sizeof *out);                                           \
        BNC_PROJ_##name(COPY, P)                                               \
    }                                                                          \
    static void project_##name(void *out, const void *in)                      \
    {                                                                          \
        bnc__project_##name(out, in);                                          \
    }
BNC_PROJECTIONS(PROJ_FN)

/* ---- the rows as data ------------------------------------------------ */

#define PUB_AT(T, f) offsetof(T, f), sizeof(((T *)0)->f)
#define ROW(T, how, ...) ROW_##how(T, __VA_ARGS__)
#define ROW_SAME(T, f) {#f, BNC_PROJ_SAME, PUB_AT(T, f), NULL},
#define ROW_BYTES(T, f) {#f, BNC_PROJ_BYTES, PUB_AT(T, f), NULL},
#define ROW_STR(T, f) {#f, BNC_PROJ_STR, PUB_AT(T, f), NULL},
#define ROW_OBJ(T, f, sub) {#f, BNC_PROJ_OBJ, PUB_AT(T, f), #sub},
#define ROW_HAND(T, f) {#f, BNC_PROJ_HAND, 0, 0, NULL},
#define ROW_HIDDEN(T, f) {#f, BNC_PROJ_HIDDEN, 0, 0, NULL},
#define ROW_PUB(T, f) {#f, BNC_PROJ_PUB, PUB_AT(T, f), NULL},

#define PROJ_FIELDS(name, P, W)                                                \
    static const bnc__proj_field fields_##name[] = {BNC_PROJ_##name(ROW, P)};
BNC_PROJECTIONS(PROJ_FIELDS)

const bnc__projection bnc__projections[BNC__PROJ_COUNT] = {
#define PROJ_ROW(name, P, W)                                                   \
    [BNC__PROJ_##name] = {                                                     \
        #name,         #P,                                                     \
        sizeof(P),     &bn_desc_##W,                                           \
        fields_##name, sizeof fields_##name / sizeof fields_##name[0],         \
        project_##name},
    BNC_PROJECTIONS(PROJ_ROW)
#undef PROJ_ROW
};
