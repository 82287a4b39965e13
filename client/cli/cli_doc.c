/*
 * cli_doc.c: sharing documents. Uploads and downloads stream in 64 KiB
 * chunks with several in flight; a progress bar shows on stderr when it
 * is a terminal. A download goes to a temporary file next to the target,
 * renamed only once the final chunk opened.
 *
 * An upload in progress is recorded in the profile (uploads/PAIR-KEY, KEY
 * a hash of the file's path, size and time): running the same 'doc put'
 * again after an interruption restarts that upload under the same id, so
 * the pair never holds two copies.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* upload_path names the record of an upload of the file at path. */
static int upload_path(cli_ctx *ctx, const char *pair, const char *path,
                       const struct stat *st, char *out, size_t size)
{
    char key[BNC_PATH_MAX + 128], hex[17];
    uint8_t h[BNC_HASH_BYTES];
    char *real = realpath(path, NULL);
    int n;

    n = snprintf(key, sizeof key, "%s|%lld|%lld|%lld", real ? real : path,
                 (long long)st->st_size, (long long)st->st_mtime,
                 (long long)st->st_ino);
    free(real);
    if (n < 0 || (size_t)n >= sizeof key)
        return BNC_EINVAL;
    bnc_hash(h, (const uint8_t *)key, (size_t)n);
    bn_hex_encode(hex, h, 8);
    n = snprintf(out, size, "%s/uploads/%s-%s", bnc_profile_dir(ctx->profile),
                 pair, hex);
    return (n < 0 || (size_t)n >= size) ? BNC_EINVAL : 0;
}

/* upload_id reads the id of an interrupted upload (0: none). */
static uint64_t upload_id(const char *rec)
{
    char buf[32] = {0};
    unsigned long long v = 0;
    int fd = open(rec, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return 0;
    if (read(fd, buf, sizeof buf - 1) > 0)
        v = strtoull(buf, NULL, 16);
    close(fd);
    return (uint64_t)v;
}

/* Test hook: BINOME_TEST_ABORT_AT=N kills the client once N bytes of an
 * upload were acknowledged, as a crash or a pulled cable would. */
typedef struct put_progress {
    cli_progress bar;
    uint64_t abort_at;
} put_progress;

static void put_cb(void *ctx, uint64_t done, uint64_t total)
{
    put_progress *pp = ctx;
    cli_progress_cb(&pp->bar, done, total);
    if (pp->abort_at > 0 && done >= pp->abort_at)
        raise(SIGKILL);
}

int cli_doc_put(cli_ctx *ctx, int argc, char **argv)
{
    char *pos[2];
    char rec[BNC_PATH_MAX + 64], dir[BNC_PATH_MAX + 16], buf[32];
    char *copy = NULL;
    const char *name, *abort_at = getenv("BINOME_TEST_ABORT_AT");
    struct stat st;
    bnc_pair *p = NULL;
    put_progress pp;
    uint64_t doc_id = 0, id = 0;
    int fd = -1, rc, n, diagnosis = 0;
    const char *date = NULL;
    const cli_opt opts[] = {{"diagnosis", NULL, &diagnosis},
                            {"date", &date, NULL},
                            {NULL, NULL, NULL}};
    uint32_t day = bnc_date_today();

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc != 0)
        return rc;
    /* The self-diagnosis (issue 14): its day, today at the latest. */
    if (date != NULL && !diagnosis)
        return cli_fail(ctx, CLI_EUSAGE, "--date goes with --diagnosis");
    if (date != NULL && cli_day(ctx, "--date", date, &day) != 0)
        return CLI_EUSAGE;
    if (day > bnc_date_today())
        return cli_fail(ctx, CLI_EUSAGE,
                        "--date %s is in the future: a self-diagnosis is "
                        "dated the day it was made",
                        cli_safe(date));
    fd = open(pos[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = cli_fail(ctx, -errno, "cannot read %s: %s", pos[1],
                      strerror(errno));
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = cli_fail(ctx, CLI_EUSAGE, "%s is not a regular file", pos[1]);
        goto cleanup;
    }
    copy = strdup(pos[1]);
    if (copy == NULL) {
        rc = BNC_ENOMEM;
        goto cleanup;
    }
    name = basename(copy);
    if (strlen(name) > BNC_DOC_NAME_MAX) {
        rc = cli_fail(ctx, CLI_EUSAGE, "the file name is longer than %u bytes",
                      BNC_DOC_NAME_MAX);
        goto cleanup;
    }
    rc = cli_open_pair(ctx, pos[0], 0, &p);
    if (rc == 0)
        rc = upload_path(ctx, pos[0], pos[1], &st, rec, sizeof rec);
    if (rc != 0)
        goto cleanup;
    /* Record the id before the first byte leaves: a retry restarts it. */
    doc_id = upload_id(rec);
    if (doc_id == 0) {
        doc_id = bnc_random_id();
        snprintf(dir, sizeof dir, "%s/uploads", bnc_profile_dir(ctx->profile));
        n = snprintf(buf, sizeof buf, "%016" PRIx64 "\n", doc_id);
        rc = mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -errno;
        if (rc == 0)
            rc = bn_file_write_atomic(rec, (const uint8_t *)buf, (size_t)n,
                                      0600);
        if (rc != 0)
            goto cleanup;
    }
    cli_progress_init(&pp.bar, "upload  ");
    pp.abort_at = abort_at ? strtoull(abort_at, NULL, 10) : 0;
    rc = bnc_doc_put_marked(ctx->client, p, fd, name, (uint64_t)st.st_size,
                            doc_id,
                            diagnosis ? BNC_DOC_DIAGNOSIS : BNC_DOC_PLAIN,
                            diagnosis ? day : 0, put_cb, &pp, &id);
    cli_progress_end(&pp.bar);
    if (rc == BNC_EEXIST) {
        /* The same upload completed before its record was removed. */
        rc = 0;
        id = doc_id;
    }
    if (rc == 0) {
        unlink(rec);
        printf("%016" PRIx64 "\n", id);
    } else if (rc == BNC_EIO) {
        cli_fail(ctx, rc,
                 "%s changed while it was being sent; nothing was "
                 "shared",
                 pos[1]);
        cli_hint(ctx, "run the command again once the file is complete");
    } else if (rc == BNC_ETOOBIG) {
        cli_fail(ctx, rc, "%s is larger than the server accepts", pos[1]);
        cli_hint(ctx, "the server's max_doc_mib sets the largest document");
    } else if (rc == BNC_ELIMIT) {
        cli_fail(ctx, rc, "the server refused the upload as too fast");
        cli_hint(ctx, "run the same command again later: the upload restarts");
    } else if (rc == BNC_ECLOSED || rc == BNC_ETIMEDOUT) {
        cli_hint(ctx, "run the same command again: the upload restarts");
    } else {
        cli_write_error(ctx, rc, pos[0]);
    }
cleanup:
    if (fd >= 0)
        close(fd);
    free(copy);
    bnc_pair_free(p);
    return rc;
}

/* human writes a size as "12.3 MiB". */
static void human(char out[32], uint64_t n)
{
    if (n < 1024)
        snprintf(out, 32, "%" PRIu64 " B", n);
    else if (n < 1048576)
        snprintf(out, 32, "%.1f KiB", (double)n / 1024.0);
    else
        snprintf(out, 32, "%.1f MiB", (double)n / 1048576.0);
}

int cli_doc_list(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    bnc_pair *p = NULL;
    bnc_doc *items = NULL;
    size_t n = 0;
    int rc;

    rc = cli_json_pair(ctx, argc, argv, 0, &json, &p);
    if (rc == 0)
        rc = bnc_doc_list(ctx->client, p, &items, &n);
    if (rc != 0)
        goto cleanup;
    if (json)
        printf("[");
    else
        printf("%-16s  %-10s %-16s %-20s %-10s %s\n", "DOC", "SIZE", "AUTHOR",
               "DATE", "DIAGNOSIS", "NAME");
    for (size_t i = 0; i < n; i++) {
        const bnc_doc *d = &items[i];
        char date[32], size[32], diag[11] = "-";
        cli_time(date, d->created);
        if (d->kind == BNC_DOC_DIAGNOSIS)
            cli_date(diag, d->date);
        human(size, d->size);
        if (json) {
            printf("%s{\"id\":\"%016" PRIx64 "\",\"name\":", i ? "," : "",
                   d->doc_id);
            if (d->open_rc == 0)
                cli_json_str(d->name);
            else
                printf("null");
            printf(",\"size\":%" PRIu64 ",\"chunks\":%u,\"author_id\":%" PRIu64
                   ",\"author\":",
                   d->size, d->chunks, d->author_id);
            cli_json_str(d->author_name);
            printf(",\"created\":%" PRId64 ",\"verified\":%s,"
                   "\"diagnosis\":",
                   d->created, d->open_rc == 0 ? "true" : "false");
            if (d->kind == BNC_DOC_DIAGNOSIS)
                printf("\"%s\"}", diag);
            else
                printf("null}");
        } else if (d->open_rc == 0) {
            printf("%016" PRIx64 "  %-10s %s %-20s %-10s ", d->doc_id, size,
                   cli_pad(d->author_name, 16), date, diag);
            cli_print_text(stdout, d->name);
            putchar('\n');
        } else {
            printf("%016" PRIx64 "  %-10s %s %-20s %-10s (does not verify: "
                   "%s)\n",
                   d->doc_id, "?", cli_pad(d->author_name, 16), date, diag,
                   bnc_strerror(d->open_rc));
        }
    }
    if (json)
        printf("]\n");
cleanup:
    bnc_doc_list_free(items, n);
    bnc_pair_free(p);
    return rc;
}

int cli_doc_get(cli_ctx *ctx, int argc, char **argv)
{
    const char *output = NULL;
    const cli_opt opts[] = {{"output", &output, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    char safe[BNC_DOC_NAME_MAX + 1], target[BNC_PATH_MAX],
        tmp[BNC_PATH_MAX + 32];
    char *copy = NULL;
    bnc_pair *p = NULL;
    bnc_doc *items = NULL;
    const bnc_doc *d = NULL;
    uint64_t *ids = NULL, id = 0;
    cli_progress bar;
    size_t n = 0;
    int fd = -1, rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc != 0)
        return rc;
    if (bnc_id_resolve(NULL, 0, pos[1], &id) == BNC_EINVAL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "DOC is a document id: 1 to 16 hex digits");
    rc = cli_open_pair(ctx, pos[0], 0, &p);
    if (rc == 0)
        rc = bnc_doc_list(ctx->client, p, &items, &n);
    if (rc != 0)
        goto cleanup;
    ids = calloc(n ? n : 1, sizeof *ids);
    if (ids == NULL) {
        rc = BNC_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = items[i].doc_id;
    rc = bnc_id_resolve(ids, n, pos[1], &id);
    if (rc == BNC_ENOTFOUND) {
        rc = cli_fail(ctx, rc, "no document %s in pair %s", cli_safe(pos[1]),
                      pos[0]);
        cli_hint(ctx, "see the documents with 'binome doc list %s'", pos[0]);
        goto cleanup;
    }
    if (rc == BNC_EAMBIGUOUS) {
        rc = cli_fail(ctx, rc,
                      "%s is the start of several documents' ids; give more "
                      "digits",
                      cli_safe(pos[1]));
        goto cleanup;
    }
    if (rc != 0)
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        if (items[i].doc_id == id)
            d = &items[i];
    if (d->open_rc != 0) {
        rc = cli_fail(ctx, d->open_rc,
                      "document %016" PRIx64 " does not verify (%s); it is "
                      "not written",
                      id, bnc_strerror(d->open_rc));
        goto cleanup;
    }
    if (output != NULL) {
        snprintf(target, sizeof target, "%s", output);
    } else {
        bnc_doc_safe_name(safe, d->name, d->doc_id);
        snprintf(target, sizeof target, "%s", safe);
        if (access(target, F_OK) == 0) {
            rc = cli_fail(ctx, BNC_EEXIST, "%s already exists here",
                          cli_safe(target));
            cli_hint(ctx, "choose where to write it with -o FILE");
            goto cleanup;
        }
    }
    copy = strdup(target);
    if (copy == NULL) {
        rc = BNC_ENOMEM;
        goto cleanup;
    }
    snprintf(tmp, sizeof tmp, "%s/.binome-get-XXXXXX", dirname(copy));
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = cli_fail(ctx, -errno, "cannot write next to %s: %s",
                      cli_safe(target), strerror(errno));
        goto cleanup;
    }
    cli_progress_init(&bar, "download");
    rc = bnc_doc_get(ctx->client, p, d, fd, cli_progress_cb, &bar);
    cli_progress_end(&bar);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    fd = -1;
    if (rc == 0 && rename(tmp, target) != 0)
        rc = cli_fail(ctx, -errno, "cannot write %s: %s", cli_safe(target),
                      strerror(errno));
    if (rc != 0) {
        unlink(tmp);
        if (rc == BNC_ESTREAM || rc == BNC_EAUTH || rc == BNC_ECORRUPT)
            rc = cli_fail(ctx, BNC_ESTREAM,
                          "document %016" PRIx64 " is truncated or altered "
                          "(%s); nothing was written",
                          id, bnc_strerror(rc));
        goto cleanup;
    }
    printf("%s\n", cli_safe(target));
cleanup:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(copy);
    free(ids);
    bnc_doc_list_free(items, n);
    bnc_pair_free(p);
    return rc;
}
