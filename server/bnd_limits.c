/* bnd_limits.c: the counted-keys table of bnd_limits.h (separate chaining,
 * doubled when it holds as many keys as slots). */
#include "bnd_limits.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bn_err.h"

#define MIN_SLOTS 64u

typedef struct entry {
    uint8_t key[BND_COUNTS_KEY];
    unsigned count;
    struct entry *next;
} entry;

struct bnd_counts {
    entry **slots;
    size_t nslots; /* a power of two */
    size_t count;
    uint8_t hkey[crypto_shorthash_KEYBYTES];
};

bnd_counts *bnd_counts_new(void)
{
    bnd_counts *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->slots = calloc(MIN_SLOTS, sizeof *t->slots);
    if (t->slots == NULL) {
        free(t);
        return NULL;
    }
    t->nslots = MIN_SLOTS;
    crypto_shorthash_keygen(t->hkey);
    return t;
}

void bnd_counts_free(bnd_counts *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nslots; i++) {
        entry *e = t->slots[i];
        while (e != NULL) {
            entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(t->slots);
    free(t);
}

static size_t slot_of(const bnd_counts *t, const uint8_t *key)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v = 0;
    crypto_shorthash(h, key, BND_COUNTS_KEY, t->hkey);
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    return (size_t)v & (t->nslots - 1);
}

static entry **find(const bnd_counts *t, const uint8_t *key)
{
    entry **pp = &t->slots[slot_of(t, key)];
    while (*pp != NULL && memcmp((*pp)->key, key, BND_COUNTS_KEY) != 0)
        pp = &(*pp)->next;
    return pp;
}

unsigned bnd_counts_get(const bnd_counts *t, const uint8_t *key)
{
    if (t == NULL)
        return 0;
    entry *e = *find(t, key);
    return e != NULL ? e->count : 0;
}

/* Doubles the slots; a table that cannot grow keeps longer chains. */
static void grow(bnd_counts *t)
{
    size_t n = t->nslots * 2, oldn = t->nslots;
    entry **slots = calloc(n, sizeof *slots), **old = t->slots;
    if (slots == NULL)
        return;
    t->slots = slots;
    t->nslots = n;
    for (size_t i = 0; i < oldn; i++) {
        entry *e = old[i];
        while (e != NULL) {
            entry *next = e->next;
            size_t s = slot_of(t, e->key);
            e->next = t->slots[s];
            t->slots[s] = e;
            e = next;
        }
    }
    free(old);
}

int bnd_counts_add(bnd_counts *t, const uint8_t *key)
{
    entry **pp = find(t, key);
    if (*pp != NULL) {
        (*pp)->count++;
        return 0;
    }
    entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return BN_ENOMEM;
    memcpy(e->key, key, BND_COUNTS_KEY);
    e->count = 1;
    *pp = e;
    if (++t->count > t->nslots)
        grow(t);
    return 0;
}

void bnd_counts_sub(bnd_counts *t, const uint8_t *key)
{
    entry **pp = find(t, key), *e = *pp;
    if (e == NULL)
        return;
    if (--e->count == 0) {
        *pp = e->next;
        free(e);
        t->count--;
    }
}

size_t bnd_counts_size(const bnd_counts *t)
{
    return t ? t->count : 0;
}

void bnd_counts_key_u64(uint8_t key[BND_COUNTS_KEY], uint64_t v)
{
    memset(key, 0, BND_COUNTS_KEY);
    for (int i = 7; i >= 0; i--, v >>= 8)
        key[i] = (uint8_t)v;
}

int bnd_counts_key_addr(uint8_t key[BND_COUNTS_KEY], const struct sockaddr *sa)
{
    memset(key, 0, BND_COUNTS_KEY);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        key[10] = 0xff;
        key[11] = 0xff;
        memcpy(key + 12, &a->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a->sin6_addr.s6_addr, v4mapped, 12) == 0)
            memcpy(key, a->sin6_addr.s6_addr, 16); /* an IPv4 peer */
        else
            memcpy(key, a->sin6_addr.s6_addr, 8);
        return 0;
    }
    return BN_EINVAL;
}
