/*
 * cli_export.c: everything a member can read in a pair, decrypted, into a
 * new private directory: notes as Markdown with a small header (every
 * revision: the latest in notes/, earlier ones in notes/revisions/), documents
 * under their own (sanitised) names, objectives.csv and sessions.csv.
 * The directory is 0700 and every file 0600.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* open_new creates dir/name, mode 0600, refusing to replace anything. */
static int open_new(cli_ctx *ctx, const char *dir, const char *name, char *path,
                    size_t size, int *fd)
{
    int n = snprintf(path, size, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= size)
        return cli_fail(ctx, BNC_EINVAL, "path too long in %s", dir);
    *fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd < 0)
        return cli_fail(ctx, -errno, "cannot create %s: %s", cli_safe(path),
                        strerror(errno));
    return 0;
}

/* open_new_file is open_new as a stdio stream. */
static int open_new_file(cli_ctx *ctx, const char *dir, const char *name,
                         FILE **f)
{
    char path[BNC_PATH_MAX + 300];
    int fd, rc = open_new(ctx, dir, name, path, sizeof path, &fd);

    if (rc != 0)
        return rc;
    *f = fdopen(fd, "w");
    if (*f == NULL) {
        close(fd);
        return -errno;
    }
    return 0;
}

/* close_file flushes and closes, reporting a write error. */
static int close_file(cli_ctx *ctx, FILE *f, const char *what)
{
    int bad = ferror(f) != 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0)
        bad = 1;
    return bad ? cli_fail(ctx, BNC_EIO, "cannot write %s", what) : 0;
}

/* make_dir makes a private directory: new, or existing and empty. */
static int make_dir(cli_ctx *ctx, const char *path)
{
    DIR *d;
    struct dirent *e;
    int empty = 1;

    if (mkdir(path, 0700) == 0)
        return 0;
    if (errno != EEXIST)
        return cli_fail(ctx, -errno, "cannot create %s: %s", cli_safe(path),
                        strerror(errno));
    d = opendir(path);
    if (d == NULL)
        return cli_fail(ctx, -errno, "%s: %s", cli_safe(path), strerror(errno));
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    if (!empty) {
        cli_hint(ctx, "choose a new directory; nothing is overwritten");
        return cli_fail(ctx, BNC_EEXIST, "%s exists and is not empty",
                        cli_safe(path));
    }
    return chmod(path, 0700) == 0 ? 0 : -errno;
}

/* csv writes one CSV field, quoted when it needs to be. */
static void csv(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* What export_rev needs: where to write, and the revisions of the note
 * so far (for the latest revision's history lines). */
struct export_note {
    cli_ctx *ctx;
    const bnc_pair *p;
    const char *dir, *revdir;
    uint32_t latest;
    bnc_note_meta *seen; /* revisions 1 .. nseen, as they came */
    uint32_t nseen, cap;
};

/* rev_file names revision m's file: the latest in notes/, an earlier
 * one in notes/revisions/ with its number. */
static void rev_file(char *out, size_t size, const bnc_note_meta *m,
                     const bnc_note_origin *o, int latest)
{
    char date[32], day[11];

    cli_time(date, cli_note_date(m, o));
    snprintf(day, sizeof day, "%.10s", date);
    if (latest)
        snprintf(out, size, "%s-%s-%016" PRIx64 ".md", day,
                 bnc_kind_name(m->kind), m->note_id);
    else
        snprintf(out, size, "%s-%s-%016" PRIx64 "-r%u.md", day,
                 bnc_kind_name(m->kind), m->note_id, m->revision);
}

/* export_rev is the bnc_note_rev_fn that writes one revision of a note,
 * with a header saying who wrote it and what it was edited from; the
 * latest revision's header lists every revision. */
static int export_rev(void *arg, const bnc_note_meta *m, const uint8_t *body,
                      size_t len)
{
    struct export_note *x = arg;
    const bnc_member *a = bnc_pair_member(x->p, m->author_id);
    int latest = m->revision == x->latest;
    bnc_note_origin o;
    char name[96], date[32], line[300];
    FILE *f = NULL;
    int rc;

    if (x->nseen == x->cap) {
        uint32_t cap = x->cap ? 2 * x->cap : 8;
        bnc_note_meta *v = realloc(x->seen, cap * sizeof *v);
        if (v == NULL)
            return BNC_ENOMEM;
        x->seen = v;
        x->cap = cap;
    }
    x->seen[x->nseen++] = *m;
    bnc_note_origin_of(x->p, m, &o);
    cli_time(date, m->created);
    rev_file(name, sizeof name, m, &o, latest);
    rc = open_new_file(x->ctx, latest ? x->dir : x->revdir, name, &f);
    if (rc != 0)
        return rc;
    fprintf(f,
            "---\nnote: %016" PRIx64 "\nkind: %s\nauthor: %s (%s)\n"
            "date: %s\nrevision: %u\n",
            m->note_id, bnc_kind_name(m->kind), cli_safe(m->author_name),
            a ? bnc_role_name(a->role) : "?", date, m->revision);
    cli_time(date, o.written);
    if (o.written > 0)
        fprintf(f, "signed: %s\n", date);
    if (o.edited_from != 0) {
        cli_note_origin_line(line, sizeof line, m, &o, NULL);
        fprintf(f, "edited: %s\n", line);
    }
    if (m->session_id)
        fprintf(f, "session: %" PRIu64 "\n", m->session_id);
    if (m->is_private)
        fprintf(f, "private: yes\n");
    if (latest && x->nseen > 1) {
        fprintf(f, "revisions:\n");
        for (uint32_t i = 0; i < x->nseen; i++) {
            const bnc_note_meta *r = &x->seen[i];
            const bnc_member *ra = bnc_pair_member(x->p, r->author_id);
            bnc_note_origin ro;
            char rn[96];
            bnc_note_origin_of(x->p, r, &ro);
            cli_time(date, cli_note_date(r, &ro));
            rev_file(rn, sizeof rn, r, &ro, r->revision == x->latest);
            fprintf(f, "  - revision %u by %s (%s), %s: %s%s\n", r->revision,
                    cli_safe(r->author_name),
                    ra ? bnc_role_name(ra->role) : "?", date,
                    r->revision == x->latest ? "" : "revisions/", rn);
        }
    }
    fprintf(f, "---\n\n");
    fwrite(body, 1, len, f);
    if (len > 0 && body[len - 1] != '\n')
        fputc('\n', f);
    return close_file(x->ctx, f, name);
}

/* export_notes writes every note the member sees, each revision in its
 * own file (bnc_note_history: all checked against the signed log);
 * *count is the notes, *nrevs the earlier revisions. */
static int export_notes(cli_ctx *ctx, const bnc_pair *p, const char *dir,
                        size_t *count, size_t *nrevs)
{
    bnc_note_meta *items = NULL;
    size_t n = 0;
    char revdir[BNC_PATH_MAX + 32];
    int rc = bnc_note_list(ctx->client, p, &items, &n), made = 0;

    snprintf(revdir, sizeof revdir, "%s/revisions", dir);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct export_note x = {ctx,  p, dir, revdir, items[i].revision,
                                NULL, 0, 0};
        bnc_note_meta *v = NULL;
        size_t nv = 0;

        if (items[i].revision > 1 && !made) {
            rc = make_dir(ctx, revdir);
            made = 1;
            if (rc != 0)
                break;
        }
        rc = bnc_note_history(ctx->client, p, items[i].note_id, &v, &nv,
                              export_rev, &x);
        free(v);
        free(x.seen);
        if (rc == BNC_ESIG || rc == BNC_EAUTH) {
            fprintf(stderr,
                    "binome: export: note %016" PRIx64 " does not verify; "
                    "skipped\n",
                    items[i].note_id);
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        (*count)++;
        *nrevs += nv > 0 ? nv - 1 : 0;
    }
    free(items);
    return rc;
}

static int export_docs(cli_ctx *ctx, const bnc_pair *p, const char *dir,
                       size_t *count)
{
    bnc_doc *items = NULL;
    size_t n = 0;
    int rc = bnc_doc_list(ctx->client, p, &items, &n);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        char safe[BNC_DOC_NAME_MAX + 1], name[BNC_DOC_NAME_MAX + 32];
        char path[BNC_PATH_MAX + 300];
        int fd = -1;

        if (items[i].open_rc != 0) {
            fprintf(stderr,
                    "binome: export: document %016" PRIx64 " does not "
                    "verify; skipped\n",
                    items[i].doc_id);
            continue;
        }
        bnc_doc_safe_name(safe, items[i].name, items[i].doc_id);
        snprintf(name, sizeof name, "%s", safe);
        /* Two documents of the same name: number the later ones. */
        for (int k = 2; rc == 0; k++) {
            rc = open_new(ctx, dir, name, path, sizeof path, &fd);
            if (rc != -EEXIST)
                break;
            rc = 0;
            ctx->msg[0] = '\0';
            snprintf(name, sizeof name, "%d-%s", k, safe);
        }
        if (rc != 0)
            break;
        rc = bnc_doc_get(ctx->client, p, &items[i], fd, NULL, NULL);
        if (rc == 0 && fsync(fd) != 0)
            rc = -errno;
        close(fd);
        if (rc != 0) {
            unlink(path);
            rc = cli_fail(ctx, rc,
                          "document %016" PRIx64 " could not be "
                          "exported: %s",
                          items[i].doc_id, bnc_strerror(rc));
            break;
        }
        (*count)++;
    }
    bnc_doc_list_free(items, n);
    return rc;
}

static int export_objectives(cli_ctx *ctx, const bnc_pair *p, const char *dir,
                             size_t *count)
{
    bnc_objective *items = NULL;
    size_t n = 0;
    FILE *f = NULL;
    int rc = bnc_objective_list(ctx->client, p, &items, &n);

    if (rc == 0)
        rc = open_new_file(ctx, dir, "objectives.csv", &f);
    if (rc != 0)
        goto cleanup;
    fprintf(f, "id,status,defined,reached,author,text\n");
    for (size_t i = 0; i < n; i++) {
        const bnc_objective *o = &items[i];
        char dd[11], rd[11];
        cli_date(dd, o->defined_date);
        cli_date(rd, o->reached_date);
        fprintf(f, "%016" PRIx64 ",%s,%s,%s,", o->id,
                bnc_objective_status_name(o->status), dd,
                o->reached_date ? rd : "");
        csv(f, o->author_name);
        fputc(',', f);
        csv(f, o->text != NULL ? o->text : "(does not verify)");
        fputc('\n', f);
    }
    *count = n;
    rc = close_file(ctx, f, "objectives.csv");
cleanup:
    bnc_objective_list_free(items, n);
    return rc;
}

static int export_sessions(cli_ctx *ctx, const bnc_pair *p, const char *dir,
                           size_t *count)
{
    bnc_session *items = NULL;
    size_t n = 0;
    FILE *f = NULL;
    int rc = bnc_session_list(ctx->client, p, &items, &n);

    if (rc == 0)
        rc = open_new_file(ctx, dir, "sessions.csv", &f);
    if (rc != 0)
        goto cleanup;
    /* absentees: the account ids of the members named absent, space
     * separated (issue 14) */
    fprintf(f, "id,date,status,absent,mode,absentees\n");
    for (size_t i = 0; i < n; i++) {
        char d[11];
        cli_date(d, items[i].date);
        fprintf(f, "%" PRIu64 ",%s,%s,%s,%s,", items[i].id, d,
                bnc_session_status_name(items[i].status),
                items[i].absent ? bnc_absent_name(items[i].absent) : "",
                bnc_session_mode_name(items[i].mode));
        for (size_t j = 0; j < items[i].nabsentees; j++)
            fprintf(f, "%s%" PRIu64, j ? " " : "", items[i].absentees[j]);
        fputc('\n', f);
    }
    *count = n;
    rc = close_file(ctx, f, "sessions.csv");
cleanup:
    free(items);
    return rc;
}

int cli_export(cli_ctx *ctx, int argc, char **argv)
{
    const char *to = NULL;
    const cli_opt opts[] = {{"to", &to, NULL}, {NULL, NULL, NULL}};
    char *pos[1], notes[BNC_PATH_MAX + 16], docs[BNC_PATH_MAX + 16];
    size_t nn = 0, nr = 0, nd = 0, no = 0, ns = 0;
    bnc_pair *p = NULL;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 1, 1);
    if (rc != 0)
        return rc;
    if (to == NULL || to[0] == '\0')
        return cli_fail(ctx, CLI_EUSAGE, "--to DIR is required");
    rc = cli_open_own_pair(ctx, pos[0], 0, &p);
    if (rc != 0)
        goto cleanup;
    snprintf(notes, sizeof notes, "%s/notes", to);
    snprintf(docs, sizeof docs, "%s/documents", to);
    rc = make_dir(ctx, to);
    if (rc == 0)
        rc = make_dir(ctx, notes);
    if (rc == 0)
        rc = make_dir(ctx, docs);
    if (rc == 0)
        rc = export_notes(ctx, p, notes, &nn, &nr);
    if (rc == 0)
        rc = export_docs(ctx, p, docs, &nd);
    if (rc == 0)
        rc = export_objectives(ctx, p, to, &no);
    if (rc == 0)
        rc = export_sessions(ctx, p, to, &ns);
    if (rc == 0)
        printf("exported pair %s to %s: %zu notes (and %zu earlier "
               "revisions), %zu documents, %zu objectives, %zu sessions\n",
               pos[0], cli_safe(to), nn, nr, nd, no, ns);
cleanup:
    bnc_pair_free(p);
    return rc;
}
