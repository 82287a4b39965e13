#include "bn_bench.h"

#include <stdlib.h>
#include <time.h>

#include "bn_crypto.h"

double bn_bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

unsigned bn_bench_env_num(const char *name, unsigned dflt)
{
    const char *v = getenv(name);
    return v != NULL && atoi(v) > 0 ? (unsigned)atoi(v) : dflt;
}

int bn_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

size_t bn_bench_pct_index(size_t n, double p)
{
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return rank - 1;
}

size_t bn_bench_body_len(unsigned size, size_t *envlen)
{
    const size_t over = BN_ENVELOPE_HEADER_BYTES + BN_TAG_BYTES + BN_SIG_BYTES;
    size_t len = 1;
    while (len < BN_NOTE_MAX_PLAINTEXT && bn_padme_len(len) + over < size)
        len++;
    *envlen = bn_padme_len(len) + over;
    return len;
}
