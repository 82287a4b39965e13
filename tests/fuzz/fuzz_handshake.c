/*
 * libFuzzer target: the handshake and the channel, from both sides.
 *
 * The input plays the network: its first BN_HS_MSG1_BYTES bytes are a
 * msg1 the server answers (bn_hs_server_respond), the next
 * BN_HS_MSG2_BYTES a msg2 a real client must check (bn_hs_client_finish
 * against a fixed server key), and the rest frames the client's channel
 * must open. Invariants: no crash; a forged msg2 never completes a
 * handshake (the fuzzer does not hold the server's secret key); no forged
 * frame opens.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bn_crypto.h"

static uint8_t server_pk[32], server_sk[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (bn_crypto_init() != 0)
        abort();
    /* a fixed server key: the fuzzer's inputs cannot know its secret */
    uint8_t seed[crypto_box_SEEDBYTES];
    memset(seed, 0x5a, sizeof seed);
    crypto_box_seed_keypair(server_pk, server_sk, seed);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bn_channel ch;
    uint8_t msg2[BN_HS_MSG2_BYTES];

    if (size >= BN_HS_MSG1_BYTES) {
        if (bn_hs_server_respond(server_sk, server_pk, data, msg2, &ch) == 0) {
            /* the server's own channel must not open a forged frame */
            const uint8_t *f = data + BN_HS_MSG1_BYTES;
            size_t n = size - BN_HS_MSG1_BYTES;
            if (n >= BN_CHANNEL_OVERHEAD && n < 4096) {
                uint8_t out[4096];
                if (bn_channel_open(&ch, out, f, n, NULL, 0) == 0)
                    abort();
            }
            bn_channel_wipe(&ch);
        }
        data += BN_HS_MSG1_BYTES;
        size -= BN_HS_MSG1_BYTES;
    }
    if (size >= BN_HS_MSG2_BYTES) {
        bn_hs_client hs;
        uint8_t msg1[BN_HS_MSG1_BYTES];
        if (bn_hs_client_start(&hs, server_pk, msg1) != 0)
            abort();
        if (bn_hs_client_finish(&hs, data, &ch) == 0)
            abort(); /* a msg2 made without the server's secret key */
    }
    return 0;
}
