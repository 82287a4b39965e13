/*
 * bn_bench.h: small helpers shared by the benchmark programs (clock,
 * environment, percentiles, envelope sizes). libc and libbncrypto only,
 * so every test binary can link it; what needs the server or the client
 * library lives in tests/bench/bench_*.h.
 */
#ifndef BN_BENCH_H
#define BN_BENCH_H

#include <stddef.h>

/* bn_bench_now_ms returns CLOCK_MONOTONIC in milliseconds. */
double bn_bench_now_ms(void);

/* bn_bench_env_num returns the environment variable name as a positive
 * number, or dflt when it is unset, not a number or not positive. */
unsigned bn_bench_env_num(const char *name, unsigned dflt);

/* bn_bench_cmp_double orders doubles ascending, for qsort. */
int bn_bench_cmp_double(const void *a, const void *b);

/* bn_bench_pct_index returns the index in n sorted values (n > 0) of the
 * exact percentile p (0..100): the smallest value with at least p% of the
 * values at or below it. */
size_t bn_bench_pct_index(size_t n, double p);

/* bn_bench_body_len picks the plaintext length whose envelope is the
 * smallest one of at least size bytes (Padmé makes sizes step); the
 * envelope's size goes to *envlen. */
size_t bn_bench_body_len(unsigned size, size_t *envlen);

#endif
