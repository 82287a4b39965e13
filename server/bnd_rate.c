/*
 * bnd_rate.c: the per-account token buckets that bound requests per
 * second (bnd_rate.h).
 */
#include "bnd_rate.h"

#include <stdlib.h>

#include "bn_err.h"

/* Tokens are counted in thousandths, so that a millisecond of refill at a
 * low rate is not lost to rounding. */
#define MILLI 1000u
#define SWEEP_MS 60000u
#define MIN_SLOTS 64u

typedef struct bucket {
    uint64_t account;
    uint64_t tokens; /* thousandths of a request */
    uint64_t last_ms;
    struct bucket *next;
} bucket;

struct bnd_rate {
    bucket **slots;
    size_t nslots; /* a power of two */
    size_t count;
    uint64_t last_sweep_ms;
    unsigned rate, burst; /* of the last call: a changed limit sweeps */
};

bnd_rate *bnd_rate_new(void)
{
    bnd_rate *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->slots = calloc(MIN_SLOTS, sizeof *r->slots);
    if (r->slots == NULL) {
        free(r);
        return NULL;
    }
    r->nslots = MIN_SLOTS;
    return r;
}

void bnd_rate_free(bnd_rate *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nslots; i++) {
        bucket *b = r->slots[i];
        while (b != NULL) {
            bucket *next = b->next;
            free(b);
            b = next;
        }
    }
    free(r->slots);
    free(r);
}

size_t bnd_rate_count(const bnd_rate *r)
{
    return r ? r->count : 0;
}

static size_t slot_of(const bnd_rate *r, uint64_t account)
{
    uint64_t h = account * 0x9e3779b97f4a7c15ull; /* Fibonacci hashing */
    return (size_t)(h >> 32) & (r->nslots - 1);
}

/* Refills b up to now_ms: thousandths of a request per millisecond times
 * the rate, up to burst requests. */
static void refill(bucket *b, uint64_t now_ms, unsigned rate, unsigned burst)
{
    uint64_t cap = (uint64_t)burst * MILLI;
    uint64_t dt = now_ms > b->last_ms ? now_ms - b->last_ms : 0;
    b->last_ms = now_ms;
    if (b->tokens >= cap || dt >= cap) { /* dt * rate >= cap: full */
        b->tokens = cap;
        return;
    }
    uint64_t add = dt * rate;
    b->tokens = cap - b->tokens <= add ? cap : b->tokens + add;
}

/* Drops the buckets that are full again: they carry no state. */
static void sweep(bnd_rate *r, uint64_t now_ms, unsigned rate, unsigned burst)
{
    for (size_t i = 0; i < r->nslots; i++) {
        bucket **pp = &r->slots[i];
        while (*pp != NULL) {
            bucket *b = *pp;
            refill(b, now_ms, rate, burst);
            if (b->tokens >= (uint64_t)burst * MILLI) {
                *pp = b->next;
                free(b);
                r->count--;
            } else {
                pp = &b->next;
            }
        }
    }
    r->last_sweep_ms = now_ms;
}

/* Doubles the slots when the table is full (after a sweep); a table that
 * cannot grow keeps its chains longer. */
static void grow(bnd_rate *r)
{
    size_t n = r->nslots * 2;
    bucket **slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return;
    bucket **old = r->slots;
    size_t oldn = r->nslots;
    r->slots = slots;
    r->nslots = n;
    for (size_t i = 0; i < oldn; i++) {
        bucket *b = old[i];
        while (b != NULL) {
            bucket *next = b->next;
            size_t s = slot_of(r, b->account);
            b->next = r->slots[s];
            r->slots[s] = b;
            b = next;
        }
    }
    free(old);
}

int bnd_rate_take(bnd_rate *r, uint64_t account, uint64_t now_ms, unsigned rate,
                  unsigned burst, unsigned cost)
{
    if (rate == 0 || r == NULL)
        return 0;
    if (burst == 0)
        burst = 1;
    if (rate != r->rate || burst != r->burst ||
        now_ms - r->last_sweep_ms >= SWEEP_MS) {
        r->rate = rate;
        r->burst = burst;
        sweep(r, now_ms, rate, burst);
    }
    bucket *b = r->slots[slot_of(r, account)];
    while (b != NULL && b->account != account)
        b = b->next;
    if (b == NULL) {
        if (r->count >= r->nslots) {
            sweep(r, now_ms, rate, burst);
            if (r->count >= r->nslots / 2)
                grow(r);
        }
        b = malloc(sizeof *b);
        if (b == NULL)
            return 0;
        size_t s = slot_of(r, account);
        b->account = account;
        b->tokens = (uint64_t)burst * MILLI;
        b->last_ms = now_ms;
        b->next = r->slots[s];
        r->slots[s] = b;
        r->count++;
    } else {
        refill(b, now_ms, rate, burst);
    }
    if (cost == 0 || cost > MILLI)
        cost = MILLI;
    if (b->tokens < cost)
        return BN_ELIMIT;
    b->tokens -= cost;
    return 0;
}
