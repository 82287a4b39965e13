/*
 * bench_floor: the CPU that one note write cannot avoid on the server,
 * measured alone (issue 17's "server CPU per write vs its floor"): one
 * Ed25519 verification of the write's log entry and the channel's two
 * ChaCha20-Poly1305 (IETF) operations, opening the request frame and
 * sealing the reply. A benchmark, not a test: it prints a figure and fails
 * only when something does not work.
 *
 * Sizes as a 2,048-byte note write (scripts/bench.sh): the signed message
 * of a log entry, 200 bytes (domain, pair id, entry without signature);
 * the request frame, 2,300 bytes (NOTE_PUT with a 2,093-byte envelope and
 * its entry); the reply, 32 bytes. Lengths barely matter to the
 * verification; the AEAD is linear in them.
 *
 * Each round times --iterations writes' worth of work with the thread's
 * CPU clock (CLOCK_THREAD_CPUTIME_ID: time spent waiting for a busy core
 * is not counted); the best of --rounds rounds is the floor.
 *
 *   bench_floor [--iterations 2000] [--rounds 5]
 *
 * Output, one line:
 *   floor: verify_us=... aead_us=... floor_us=... iterations=... rounds=...
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define SIGNED_BYTES 200
#define REQUEST_BYTES 2300
#define REPLY_BYTES 32
#define AB crypto_aead_chacha20poly1305_ietf_ABYTES

static double thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    static unsigned char msg[SIGNED_BYTES], sig[crypto_sign_BYTES];
    static unsigned char pk[crypto_sign_PUBLICKEYBYTES],
        sk[crypto_sign_SECRETKEYBYTES];
    static unsigned char key[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
    static unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
    static unsigned char req[REQUEST_BYTES + AB], plain[REQUEST_BYTES];
    static unsigned char rep[REPLY_BYTES + AB], rplain[REPLY_BYTES];
    unsigned long long clen;
    long iterations = 2000, rounds = 5;
    double best_v = 0, best_a = 0;
    static const struct option lo[] = {{"iterations", 1, NULL, 'i'},
                                       {"rounds", 1, NULL, 'r'},
                                       {"help", 0, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int ch;

    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (ch == 'i')
            iterations = strtol(optarg, NULL, 10);
        else if (ch == 'r')
            rounds = strtol(optarg, NULL, 10);
        else {
            fprintf(ch == 'h' ? stdout : stderr,
                    "usage: bench_floor [--iterations N] [--rounds N]\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (optind != argc || iterations < 1 || iterations > 10000000 ||
        rounds < 1 || rounds > 1000) {
        fprintf(stderr, "usage: bench_floor [--iterations N] [--rounds N]\n");
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "bench_floor: libsodium failed to initialise\n");
        return 1;
    }
    randombytes_buf(msg, sizeof msg);
    randombytes_buf(plain, sizeof plain);
    randombytes_buf(rplain, sizeof rplain);
    crypto_aead_chacha20poly1305_ietf_keygen(key);
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    crypto_aead_chacha20poly1305_ietf_encrypt(req, &clen, plain, sizeof plain,
                                              NULL, 0, NULL, nonce, key);

    for (long r = 0; r < rounds; r++) {
        double t0 = thread_cpu_us();
        for (long i = 0; i < iterations; i++)
            if (crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0) {
                fprintf(stderr, "bench_floor: verification failed\n");
                return 1;
            }
        double t1 = thread_cpu_us();
        for (long i = 0; i < iterations; i++) {
            if (crypto_aead_chacha20poly1305_ietf_decrypt(plain, NULL, NULL,
                                                          req, sizeof req, NULL,
                                                          0, nonce, key) != 0) {
                fprintf(stderr, "bench_floor: decryption failed\n");
                return 1;
            }
            crypto_aead_chacha20poly1305_ietf_encrypt(
                rep, NULL, rplain, sizeof rplain, NULL, 0, NULL, nonce, key);
        }
        double t2 = thread_cpu_us();
        double v = (t1 - t0) / (double)iterations;
        double a = (t2 - t1) / (double)iterations;
        if (r == 0 || v < best_v)
            best_v = v;
        if (r == 0 || a < best_a)
            best_a = a;
    }
    printf("floor: verify_us=%.2f aead_us=%.2f floor_us=%.2f iterations=%ld "
           "rounds=%ld\n",
           best_v, best_a, best_v + best_a, iterations, rounds);
    return fflush(stdout) == 0 ? 0 : 1;
}
