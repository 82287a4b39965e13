/*
 * binome_list.c: a program written against libbinome alone (binome.h and
 * `pkg-config --cflags --libs binome`): it opens a profile, logs in and
 * lists the pairs this account may see, one line each. It prints ids,
 * statuses and display names, never a key or a note.
 *
 *   cc -o binome_list binome_list.c $(pkg-config --cflags --libs binome)
 *   BINOME_PASSPHRASE=... ./binome_list [PROFILE_DIR]
 *
 * The passphrase comes from BINOME_PASSPHRASE (a real program would ask
 * for it without echo). Exit status 0, or 1 with the library's message.
 */
#include <binome.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* print_name prints a display name (the server's text) with every control
 * byte shown as '?', so that a name cannot drive the terminal. */
static void print_name(const char *s)
{
    for (; *s != '\0'; s++)
        putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* fail prints what failed and the library's message; returns 1. */
static int fail(const char *what, int rc, const bnc_client *c)
{
    const char *server = bnc_client_error(c);

    fprintf(stderr, "binome_list: %s: %s", what, bnc_strerror(rc));
    if (server[0] != '\0')
        fprintf(stderr, " (server: %s)", server);
    fputc('\n', stderr);
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    const char *pass = getenv("BINOME_PASSPHRASE");
    bnc_profile *p = NULL;
    bnc_client *c = NULL;
    bnc_pair_info *pairs = NULL;
    size_t n = 0;
    int rc, ret = 1;

    if (bnc_init() != 0) {
        fprintf(stderr, "binome_list: cannot start libbinome\n");
        return 1;
    }
    printf("libbinome %d.%d.%d, binome %s\n", LIBBINOME_VERSION_MAJOR,
           LIBBINOME_VERSION_MINOR, LIBBINOME_VERSION_PATCH, bnc_version());
    rc = bnc_profile_open(&p, dir);
    if (rc != 0) {
        ret = fail("profile", rc, NULL);
        goto cleanup;
    }
    if (pass == NULL) {
        fprintf(stderr, "binome_list: set BINOME_PASSPHRASE\n");
        goto cleanup;
    }
    rc = bnc_client_open(&c, p, pass, strlen(pass));
    if (rc != 0) {
        ret = fail("login", rc, c);
        goto cleanup;
    }
    printf("account %" PRIu64 " ", bnc_client_account(c)->id);
    print_name(bnc_client_account(c)->name);
    printf(" (%s)\n", bnc_role_name(bnc_client_account(c)->role));
    rc = bnc_pair_list(c, &pairs, &n);
    if (rc != 0) {
        ret = fail("pairs", rc, c);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        char start[11] = "-";
        if (pairs[i].start_date != 0)
            bnc_date_format(start, pairs[i].start_date);
        printf("pair %" PRIu64 " %s since %s mentor ", pairs[i].id,
               bnc_pair_status_name(pairs[i].status), start);
        print_name(pairs[i].mentor_name);
        printf(" mentee ");
        print_name(pairs[i].mentee_name);
        putchar('\n');
    }
    printf("%zu pair%s\n", n, n == 1 ? "" : "s");
    ret = 0;
cleanup:
    free(pairs);
    bnc_client_close(c);
    bnc_profile_free(p);
    return ret;
}
