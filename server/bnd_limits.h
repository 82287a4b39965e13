/*
 * bnd_limits.h: connections counted by key, for the daemon's limits on
 * connections not logged in per address and logged in per account
 * (bnd_net.c).
 *
 * A key is 16 bytes: a peer's address (bnd_counts_key_addr) or an account
 * id (bnd_counts_key_u64). The table hashes keys with SipHash under a
 * random key (crypto_shorthash), so that a peer cannot choose addresses
 * that land in one chain; a key whose count drops to 0 leaves the table,
 * which so holds only keys with open connections. Loop thread only.
 */
#ifndef BND_LIMITS_H
#define BND_LIMITS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define BND_COUNTS_KEY 16

typedef struct bnd_counts bnd_counts;

/* bnd_counts_new returns an empty table, or NULL (out of memory);
 * bnd_counts_free frees it (accepts NULL). */
bnd_counts *bnd_counts_new(void);
void bnd_counts_free(bnd_counts *t);

/* bnd_counts_get returns key's count (0 when absent or t is NULL). */
unsigned bnd_counts_get(const bnd_counts *t, const uint8_t *key);

/* bnd_counts_add counts key once more: 0 or BN_ENOMEM. */
int bnd_counts_add(bnd_counts *t, const uint8_t *key);

/* bnd_counts_sub counts key once less (nothing when absent). */
void bnd_counts_sub(bnd_counts *t, const uint8_t *key);

/* bnd_counts_size returns how many keys have a count (for tests). */
size_t bnd_counts_size(const bnd_counts *t);

/* bnd_counts_key_u64 makes the key of an id: v big-endian, then zeros. */
void bnd_counts_key_u64(uint8_t key[BND_COUNTS_KEY], uint64_t v);

/*
 * bnd_counts_key_addr makes the key of a peer: an IPv4 address as
 * ::ffff:a.b.c.d, an IPv6 address cut to its /64 (one site or host gets
 * a whole /64: counting its addresses one by one would count nothing).
 * 0, or BN_EINVAL for another family.
 */
int bnd_counts_key_addr(uint8_t key[BND_COUNTS_KEY], const struct sockaddr *sa);

#endif
