/*
 * bench_secretstream: libsodium's crypto_secretstream_xchacha20poly1305
 * alone over a file, processed the way a document is (client/lib/bnc_doc.c
 * and crypto/bn_doc.c): the baseline that `binome doc put` and `doc get`
 * are compared with (scripts/bench_doc.sh). A benchmark, not a test: it
 * prints figures and fails only when something does not work.
 *
 *   encrypt  read the file in BN_DOC_CHUNK (64 KiB) chunks, one chunk
 *            ahead (the last one carries TAG_FINAL), push each with the
 *            associated data doc_id || index (16 bytes, as bn_doc_push),
 *            write the 24-byte header then every chunk to a file;
 *   decrypt  read that file back chunk by chunk (64 KiB + 17), pull each
 *            with the same associated data, check the tags as bn_doc_pull
 *            and bnc_doc_get do, write the plaintext to another file.
 *
 * Both directions fsync their output at the end, as `doc get` does with
 * the file it writes and as binomed's commits do with what it stores;
 * --no-fsync leaves that out. Plaintext lives in sodium_malloc buffers and
 * is wiped after use, as in the client. The outputs go to a temporary
 * file next to the input (or in --work DIR) and are removed at the end
 * unless --keep.
 *
 * Output, one line per direction (MB = 10^6 bytes of plaintext; the
 * crypto_ figures count only the time inside secretstream push/pull):
 *
 *   dir=encrypt chunk=65536 bytes=... fsync=1 seconds=... mbps=...
 *   crypto_seconds=... crypto_mbps=...
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bn_crypto.h"
#include "bn_util.h"

#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_AD_BYTES 16
#define PATH_BYTES 4096

/* The figures of one direction. */
typedef struct run {
    uint64_t bytes;
    double seconds, crypto_seconds;
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ad_of writes doc_id || index, big-endian, as crypto/bn_doc.c does. */
static void ad_of(uint8_t ad[SS_AD_BYTES], uint64_t doc_id, uint64_t index)
{
    for (int i = 0; i < 8; i++) {
        ad[i] = (uint8_t)(doc_id >> (56 - 8 * i));
        ad[8 + i] = (uint8_t)(index >> (56 - 8 * i));
    }
}

/* encrypt_file streams in into out; returns 0 or a negative errno / -1
 * (libsodium failed). */
static int encrypt_file(int in, int out, const uint8_t *key, uint64_t doc_id,
                        size_t chunk, int do_fsync, run *r)
{
    crypto_secretstream_xchacha20poly1305_state st;
    uint8_t header[SS_HEADER], ad[SS_AD_BYTES];
    uint8_t *cur = sodium_malloc(chunk), *nxt = sodium_malloc(chunk);
    uint8_t *ct = malloc(chunk + SS_ABYTES);
    size_t curlen = 0, nxtlen = 0;
    uint64_t index = 0;
    double t0 = now_s(), c0;
    int rc, final = 0;

    memset(r, 0, sizeof *r);
    if (cur == NULL || nxt == NULL || ct == NULL) {
        rc = -ENOMEM;
        goto cleanup;
    }
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
    rc = bn_write_full(out, header, sizeof header);
    if (rc == 0)
        rc = bn_read_full(in, cur, chunk, &curlen);
    while (rc == 0 && !final) {
        /* One chunk ahead, as bnc_doc_put: the last carries the tag. */
        nxtlen = 0;
        if (curlen == chunk)
            rc = bn_read_full(in, nxt, chunk, &nxtlen);
        if (rc != 0)
            break;
        final = curlen < chunk || nxtlen == 0;
        ad_of(ad, doc_id, index);
        c0 = now_s();
        if (crypto_secretstream_xchacha20poly1305_push(
                &st, ct, NULL, cur, curlen, ad, sizeof ad,
                final
                    ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                    : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) != 0) {
            rc = -1;
            break;
        }
        r->crypto_seconds += now_s() - c0;
        sodium_memzero(cur, curlen);
        rc = bn_write_full(out, ct, curlen + SS_ABYTES);
        r->bytes += curlen;
        index++;
        uint8_t *t = cur;
        cur = nxt;
        nxt = t;
        curlen = nxtlen;
    }
    if (rc == 0 && do_fsync && fsync(out) != 0)
        rc = -errno;
    r->seconds = now_s() - t0;
cleanup:
    sodium_memzero(&st, sizeof st);
    sodium_free(cur);
    sodium_free(nxt);
    free(ct);
    return rc;
}

/* decrypt_file opens the stream in into out; -2 when the stream is
 * altered or truncated. */
static int decrypt_file(int in, int out, const uint8_t *key, uint64_t doc_id,
                        size_t chunk, int do_fsync, run *r)
{
    crypto_secretstream_xchacha20poly1305_state st;
    uint8_t header[SS_HEADER], ad[SS_AD_BYTES];
    uint8_t *ct = malloc(chunk + SS_ABYTES), *pt = sodium_malloc(chunk);
    unsigned long long mlen;
    unsigned char tag = 0;
    size_t got = 0;
    uint64_t index = 0;
    double t0 = now_s(), c0;
    int rc, final = 0;

    memset(r, 0, sizeof *r);
    if (ct == NULL || pt == NULL) {
        rc = -ENOMEM;
        goto cleanup;
    }
    rc = bn_read_full(in, header, sizeof header, &got);
    if (rc == 0 && got != sizeof header)
        rc = -2;
    if (rc == 0 &&
        crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key) != 0)
        rc = -2;
    while (rc == 0 && !final) {
        rc = bn_read_full(in, ct, chunk + SS_ABYTES, &got);
        if (rc != 0)
            break;
        if (got < SS_ABYTES) {
            rc = -2; /* truncated: the final chunk never came */
            break;
        }
        ad_of(ad, doc_id, index);
        c0 = now_s();
        if (crypto_secretstream_xchacha20poly1305_pull(
                &st, pt, &mlen, &tag, ct, got, ad, sizeof ad) != 0) {
            rc = -2;
            break;
        }
        r->crypto_seconds += now_s() - c0;
        if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE &&
            tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
            rc = -2;
            break;
        }
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        rc = bn_write_full(out, pt, (size_t)mlen);
        sodium_memzero(pt, (size_t)mlen);
        r->bytes += mlen;
        index++;
    }
    if (rc == 0 && do_fsync && fsync(out) != 0)
        rc = -errno;
    r->seconds = now_s() - t0;
cleanup:
    sodium_memzero(&st, sizeof st);
    sodium_free(pt);
    free(ct);
    return rc;
}

static void print_run(const char *dir, size_t chunk, int do_fsync, const run *r)
{
    printf("dir=%s chunk=%zu bytes=%" PRIu64 " fsync=%d seconds=%.3f "
           "mbps=%.1f crypto_seconds=%.3f crypto_mbps=%.1f\n",
           dir, chunk, r->bytes, do_fsync, r->seconds,
           r->seconds > 0 ? (double)r->bytes / r->seconds / 1e6 : 0.0,
           r->crypto_seconds,
           r->crypto_seconds > 0 ? (double)r->bytes / r->crypto_seconds / 1e6
                                 : 0.0);
    fflush(stdout);
}

static const char *errtext(int rc)
{
    if (rc == -1)
        return "libsodium failed";
    if (rc == -2)
        return "the stream did not open (altered or truncated)";
    return strerror(-rc);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: bench_secretstream FILE [--work DIR] [--no-fsync] "
            "[--keep]\n"
            "  encrypts FILE with crypto_secretstream_xchacha20poly1305 in\n"
            "  %u-byte chunks into a file, decrypts it back into another,\n"
            "  and prints MB/s for each direction\n",
            BN_DOC_CHUNK);
    return 2;
}

int main(int argc, char **argv)
{
    const char *file = NULL, *work = NULL;
    char enc[PATH_BYTES], dec[PATH_BYTES], wdir[PATH_BYTES];
    uint8_t *key = NULL;
    size_t chunk = BN_DOC_CHUNK;
    uint64_t doc_id;
    int do_fsync = 1, keep = 0, in = -1, efd = -1, dfd = -1, rc, ret = 1;
    run er, dr;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--work") == 0 && i + 1 < argc)
            work = argv[++i];
        else if (strcmp(argv[i], "--no-fsync") == 0)
            do_fsync = 0;
        else if (strcmp(argv[i], "--keep") == 0)
            keep = 1;
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else
            return usage();
    }
    if (file == NULL)
        return usage();
    if (sodium_init() < 0) {
        fprintf(stderr, "bench_secretstream: sodium_init failed\n");
        return 1;
    }
    if (work == NULL) {
        /* The input's directory: the same disk as the input. */
        const char *slash = strrchr(file, '/');
        if (slash == NULL)
            snprintf(wdir, sizeof wdir, ".");
        else if (slash == file)
            snprintf(wdir, sizeof wdir, "/");
        else
            snprintf(wdir, sizeof wdir, "%.*s", (int)(slash - file), file);
        work = wdir;
    }
    if (strlen(work) > PATH_BYTES - 32) {
        fprintf(stderr, "bench_secretstream: %s: path too long\n", work);
        return 1;
    }
    snprintf(enc, sizeof enc, "%.*s/.bench-ss-enc-XXXXXX", PATH_BYTES - 32,
             work);
    snprintf(dec, sizeof dec, "%.*s/.bench-ss-dec-XXXXXX", PATH_BYTES - 32,
             work);
    in = open(file, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        fprintf(stderr, "bench_secretstream: cannot read %s: %s\n", file,
                strerror(errno));
        goto cleanup;
    }
    efd = mkstemp(enc);
    if (efd >= 0)
        dfd = mkstemp(dec);
    if (efd < 0 || dfd < 0) {
        fprintf(stderr, "bench_secretstream: cannot write in %s: %s\n", work,
                strerror(errno));
        goto cleanup;
    }
    key = sodium_malloc(crypto_secretstream_xchacha20poly1305_KEYBYTES);
    if (key == NULL) {
        fprintf(stderr, "bench_secretstream: out of memory\n");
        goto cleanup;
    }
    crypto_secretstream_xchacha20poly1305_keygen(key);
    randombytes_buf(&doc_id, sizeof doc_id);

    rc = encrypt_file(in, efd, key, doc_id, chunk, do_fsync, &er);
    if (rc != 0) {
        fprintf(stderr, "bench_secretstream: encrypt: %s\n", errtext(rc));
        goto cleanup;
    }
    print_run("encrypt", chunk, do_fsync, &er);
    if (lseek(efd, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bench_secretstream: %s\n", strerror(errno));
        goto cleanup;
    }
    rc = decrypt_file(efd, dfd, key, doc_id, chunk, do_fsync, &dr);
    if (rc != 0) {
        fprintf(stderr, "bench_secretstream: decrypt: %s\n", errtext(rc));
        goto cleanup;
    }
    if (dr.bytes != er.bytes) {
        fprintf(stderr,
                "bench_secretstream: decrypted %" PRIu64 " bytes of %" PRIu64
                "\n",
                dr.bytes, er.bytes);
        goto cleanup;
    }
    print_run("decrypt", chunk, do_fsync, &dr);
    ret = 0;
cleanup:
    if (key != NULL) {
        sodium_memzero(key, crypto_secretstream_xchacha20poly1305_KEYBYTES);
        sodium_free(key);
    }
    if (in >= 0)
        close(in);
    if (efd >= 0) {
        close(efd);
        if (!keep)
            unlink(enc);
    }
    if (dfd >= 0) {
        close(dfd);
        if (!keep)
            unlink(dec);
    }
    return ret;
}
