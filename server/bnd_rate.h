/*
 * bnd_rate.h: requests per second per account, a token bucket each.
 *
 * The table maps an account id to its bucket; every connection of the
 * account takes from the same bucket. A bucket that has been idle long
 * enough to be full again is the same as no bucket: such entries are
 * dropped when the table sweeps (at most once a minute, and before it
 * grows), so the table holds only accounts active in the last
 * burst/rate seconds (or minute). Loop thread only.
 */
#ifndef BND_RATE_H
#define BND_RATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct bnd_rate bnd_rate;

/* bnd_rate_new returns an empty table, or NULL (out of memory);
 * bnd_rate_free frees it (accepts NULL). */
bnd_rate *bnd_rate_new(void);
void bnd_rate_free(bnd_rate *r);

/* What a request costs, in thousandths of a request. A document chunk (up
 * or down) costs 1/64: its volume is what bounds it (64 KiB each, the
 * document size limit, the writer, the reply queue), and a 1 GiB document
 * is 16,384 of them, which at a full request each would take minutes of
 * the default rate. */
#define BND_RATE_REQUEST 1000u
#define BND_RATE_CHUNK 16u

/*
 * bnd_rate_take takes cost (thousandths of a request, 1 to 1000) from
 * account's bucket at now_ms (a monotonic clock in milliseconds). The
 * bucket holds at most burst requests and refills at rate per second.
 * Returns 0 (go on), or BN_ELIMIT when the bucket holds less than cost
 * (nothing is taken).
 * rate 0 disables the limit (always 0). BN_ENOMEM cannot be returned: an
 * account the table has no room for is let through.
 */
int bnd_rate_take(bnd_rate *r, uint64_t account, uint64_t now_ms, unsigned rate,
                  unsigned burst, unsigned cost);

/* bnd_rate_count returns how many buckets the table holds (for tests). */
size_t bnd_rate_count(const bnd_rate *r);

#endif
