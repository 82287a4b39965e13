/*
 * fuzz_msg.c: libFuzzer target for the message decoder.
 *
 * The input goes to bn_msg_decode as it is. A message that decodes must
 * re-encode (the encoder accepts all the decoder accepts), the encoding
 * must decode to the same type and id, re-encode to the same bytes (so
 * every field is equal: the canonical encoding is a function of the field
 * values) and be no longer than the input (it is the shortest form).
 * The same input also goes to bn_struct_decode with one of the schema's
 * structure descriptions, with the same checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bn_proto.h"

static const bn_struct_desc *const structs[] = {
#define X(name) &bn_desc_##name,
    BN_STRUCTS(X)
#undef X
};
#define NSTRUCTS (sizeof structs / sizeof structs[0])

static void same_bytes(const bn_buf *a, const bn_buf *b)
{
    if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
        abort();
}

static void check_msg(const uint8_t *data, size_t size)
{
    bn_msg m, m2;
    bn_buf a = {0}, b = {0};
    if (bn_msg_decode(&m, data, size) != 0) {
        if (m.arena != NULL)
            abort();
        return;
    }
    if (!bn_msg_known(m.type) || bn_msg_encode(&a, &m) != 0)
        abort();
    if (a.len > size)
        abort();
    if (bn_msg_decode(&m2, a.data, a.len) != 0)
        abort();
    if (m2.type != m.type || m2.id != m.id)
        abort();
    if (bn_msg_encode(&b, &m2) != 0)
        abort();
    same_bytes(&a, &b);
    bn_msg_free(&m);
    bn_msg_free(&m2);
    bn_buf_free(&a);
    bn_buf_free(&b);
}

static void check_struct(const uint8_t *data, size_t size)
{
    const bn_struct_desc *d = structs[size % NSTRUCTS];
    void *s = malloc(d->size), *s2 = malloc(d->size);
    void *arena = NULL;
    bn_buf a = {0}, b = {0};
    if (s == NULL || s2 == NULL)
        abort();
    if (bn_struct_decode(d, s, data, size, &arena) == 0) {
        if (bn_struct_encode(&a, d, s) != 0 || a.len > size)
            abort();
        if (bn_struct_decode(d, s2, a.data, a.len, &arena) != 0)
            abort();
        if (bn_struct_encode(&b, d, s2) != 0)
            abort();
        same_bytes(&a, &b);
    } else if (arena != NULL) {
        abort();
    }
    bn_arena_free(&arena);
    bn_buf_free(&a);
    bn_buf_free(&b);
    free(s);
    free(s2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_msg(data, size);
    check_struct(data, size);
    return 0;
}
