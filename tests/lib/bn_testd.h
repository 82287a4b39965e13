/*
 * bn_testd.h: start and stop a real binomed for integration tests.
 *
 * bn_testd_start makes a temporary data directory, runs `binomed init`
 * (capturing the first admin invitation), starts the daemon on a free
 * loopback port with its log in DIR/binomed.log, and waits until it
 * accepts connections. The binary is $BINOMED, else build/binomed.
 */
#ifndef BN_TESTD_H
#define BN_TESTD_H

#include <stdint.h>
#include <sys/types.h>

typedef struct bn_testd {
    char dir[256];    /* temporary directory holding data/ and logs */
    char data[300];   /* the daemon's data directory */
    char log[300];    /* the daemon's stderr */
    char invite[640]; /* first admin invitation code */
    char listen[64];  /* "127.0.0.1:PORT" */
    uint16_t port;
    pid_t pid;
} bn_testd;

/* bn_testd_start returns 0, or -1 after printing why to stderr. */
int bn_testd_start(bn_testd *d);

/* bn_testd_restart starts the daemon again on the same data and port. */
int bn_testd_restart(bn_testd *d);

/* bn_testd_kill sends sig and waits for the daemon; returns its wait
 * status (or -1). */
int bn_testd_kill(bn_testd *d, int sig);

/* bn_testd_stop stops the daemon (SIGTERM) and removes the directory. */
void bn_testd_stop(bn_testd *d);

/* bn_testd_free_port returns a loopback port that was free a moment ago. */
uint16_t bn_testd_free_port(void);

/* bn_testd_file_contains returns 1 when any file below dir contains the
 * bytes needle (raw search), 0 otherwise. */
int bn_testd_tree_contains(const char *dir, const void *needle, size_t len);

#endif
