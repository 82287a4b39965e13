/*
 * cli_history.c: a note's revisions ('note history') and the words that
 * say who wrote a revision and what it was edited from, for 'note show',
 * 'note list', 'note edit' and 'export' alike. Authors and dates come
 * from the pair's signed log (bnc_note_origin_of), never from the
 * server's word alone; every text is escaped unless --json asks for its
 * exact bytes.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int64_t cli_note_date(const bnc_note_meta *m, const bnc_note_origin *o)
{
    return o->written > 0 ? o->written : m->created;
}

void cli_note_origin_line(char *out, size_t size, const bnc_note_meta *m,
                          const bnc_note_origin *o, const char *role)
{
    int n = snprintf(out, size, "revision %u by %s%s%s%s", m->revision,
                     m->author_name[0] ? cli_safe(m->author_name) : "?",
                     role ? " (" : "", role ? role : "", role ? ")" : "");

    if (n < 0 || (size_t)n >= size || o->edited_from == 0)
        return;
    if (o->edited_from_author_id == 0)
        snprintf(out + n, size - (size_t)n, ", edited from revision %u",
                 o->edited_from);
    else
        snprintf(out + n, size - (size_t)n, ", edited from %s's revision %u",
                 o->edited_from_author[0] ? cli_safe(o->edited_from_author)
                                          : "?",
                 o->edited_from);
}

int cli_note_arg(cli_ctx *ctx, const char *arg, uint64_t *note_id)
{
    if (bnc_note_resolve(NULL, 0, arg, note_id) == BNC_EINVAL)
        return cli_fail(ctx, CLI_EUSAGE,
                        "NOTE is a note id: 1 to 16 hex digits");
    return 0;
}

int cli_note_find(cli_ctx *ctx, const bnc_pair *p, const char *pair,
                  const char *arg, uint64_t *note_id, uint32_t *latest)
{
    bnc_note_meta *items = NULL;
    size_t n = 0;
    int rc = bnc_note_list(ctx->client, p, &items, &n);

    if (rc == 0)
        rc = bnc_note_resolve(items, n, arg, note_id);
    for (size_t i = 0; rc == 0 && latest != NULL && i < n; i++)
        if (items[i].note_id == *note_id)
            *latest = items[i].revision;
    free(items);
    if (rc == BNC_ENOTFOUND) {
        rc = cli_fail(ctx, rc, "no note %s in pair %s", cli_safe(arg), pair);
        cli_hint(ctx, "see the notes with 'binome note list %s'", pair);
    } else if (rc == BNC_EAMBIGUOUS) {
        rc = cli_fail(ctx, rc,
                      "%s is the start of several notes' ids; give more "
                      "digits",
                      cli_safe(arg));
    }
    return rc;
}

/* The revisions' texts and sizes, kept until the whole history verified:
 * nothing is printed from a history the server altered anywhere. */
struct kept {
    int keep_text;
    size_t n, cap;
    size_t *lens;
    uint8_t **bodies; /* sodium_malloc, when keep_text */
};

/* keep_rev is the bnc_note_rev_fn that fills a struct kept. */
static int keep_rev(void *arg, const bnc_note_meta *m, const uint8_t *body,
                    size_t len)
{
    struct kept *k = arg;
    (void)m;

    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 8;
        size_t *lens = realloc(k->lens, cap * sizeof *lens);
        if (lens == NULL)
            return BNC_ENOMEM;
        k->lens = lens;
        uint8_t **bodies = realloc(k->bodies, cap * sizeof *bodies);
        if (bodies == NULL)
            return BNC_ENOMEM;
        k->bodies = bodies;
        k->cap = cap;
    }
    k->lens[k->n] = len;
    k->bodies[k->n] = NULL;
    if (k->keep_text) {
        k->bodies[k->n] = sodium_malloc(len > 0 ? len : 1);
        if (k->bodies[k->n] == NULL)
            return BNC_ENOMEM;
        memcpy(k->bodies[k->n], body, len);
    }
    k->n++;
    return 0;
}

static void kept_free(struct kept *k)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->bodies[i] != NULL) {
            sodium_memzero(k->bodies[i], k->lens[i]);
            sodium_free(k->bodies[i]);
        }
    free(k->bodies);
    free(k->lens);
}

/* json_text prints len bytes as a JSON string (null when they are not
 * text JSON can carry). */
static void json_text(const uint8_t *s, size_t len)
{
    bn_buf b = {0};
    if (bn_json_str(&b, (const char *)s, len) == 0)
        fwrite(b.data, 1, b.len, stdout);
    else
        fputs("null", stdout);
    if (b.data != NULL)
        sodium_memzero(b.data, b.len);
    bn_buf_free(&b);
}

/* print_json prints the history as a JSON array. */
static void print_json(const bnc_pair *p, const bnc_note_meta *v, size_t n,
                       const struct kept *k)
{
    printf("[");
    for (size_t i = 0; i < n; i++) {
        bnc_note_origin o;
        char date[32];
        bnc_note_origin_of(p, &v[i], &o);
        cli_time(date, cli_note_date(&v[i], &o));
        printf("%s{\"revision\":%u,\"author_id\":%" PRIu64 ",\"author\":",
               i ? "," : "", v[i].revision, v[i].author_id);
        cli_json_str(v[i].author_name);
        printf(",\"written\":%" PRId64 ",\"created\":%" PRId64 ",\"date\":",
               o.written, v[i].created);
        cli_json_str(date);
        printf(",\"size\":%zu,\"stored_size\":%u,\"edited_from\":%u,"
               "\"edited_from_author_id\":%" PRIu64 ",\"edited_from_author\":",
               k->lens[i], v[i].size, o.edited_from, o.edited_from_author_id);
        cli_json_str(o.edited_from_author);
        if (k->keep_text) {
            printf(",\"text\":");
            json_text(k->bodies[i], k->lens[i]);
        }
        printf("}");
    }
    printf("]\n");
}

/* print_table prints the history as a table, or with text each revision
 * under a line that says who wrote it, when, and from what. */
static int print_table(const bnc_pair *p, const bnc_note_meta *v, size_t n,
                       const struct kept *k)
{
    int rc = 0;

    if (!k->keep_text)
        printf("%4s  %s %-20s %8s  %s\n", "REV", cli_pad("AUTHOR", 20), "DATE",
               "SIZE", "EDITED FROM");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const bnc_member *a = bnc_pair_member(p, v[i].author_id);
        bnc_note_origin o;
        char date[32], line[300];
        bnc_note_origin_of(p, &v[i], &o);
        cli_time(date, cli_note_date(&v[i], &o));
        if (k->keep_text) {
            cli_note_origin_line(line, sizeof line, &v[i], &o,
                                 a ? bnc_role_name(a->role) : "?");
            printf("%s--- %s; %s, %zu bytes\n", i ? "\n" : "", line, date,
                   k->lens[i]);
            rc = cli_print_body(stdout, k->bodies[i], k->lens[i], 0);
            if (rc == 0 && k->lens[i] > 0 &&
                k->bodies[i][k->lens[i] - 1] != '\n')
                putchar('\n');
            continue;
        }
        line[0] = '\0';
        if (o.edited_from != 0 && o.edited_from_author_id != 0)
            snprintf(line, sizeof line, "%s's revision %u",
                     o.edited_from_author[0] ? cli_safe(o.edited_from_author)
                                             : "?",
                     o.edited_from);
        else if (o.edited_from != 0)
            snprintf(line, sizeof line, "revision %u", o.edited_from);
        printf("%4u  %s %-20s %8zu%s%s\n", v[i].revision,
               cli_pad(v[i].author_name, 20), date, k->lens[i],
               line[0] ? "  " : "", line);
    }
    return rc;
}

int cli_note_history(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0, text = 0;
    const cli_opt opts[] = {
        {"json", NULL, &json}, {"text", NULL, &text}, {NULL, NULL, NULL}};
    char *pos[2];
    bnc_pair *p = NULL;
    bnc_note_meta *v = NULL;
    struct kept k = {0};
    uint64_t note_id = 0;
    size_t n = 0;
    int rc;

    rc = cli_parse(ctx, argc, argv, opts, pos, 2, 2);
    if (rc != 0)
        return rc;
    if (cli_note_arg(ctx, pos[1], &note_id) != 0)
        return CLI_EUSAGE;
    rc = cli_open_pair(ctx, pos[0], 0, &p);
    if (rc == 0)
        rc = cli_note_find(ctx, p, pos[0], pos[1], &note_id, NULL);
    if (rc != 0)
        goto cleanup;
    k.keep_text = text;
    rc = bnc_note_history(ctx->client, p, note_id, &v, &n, keep_rev, &k);
    if (rc == BNC_ESIG || rc == BNC_EAUTH)
        rc = cli_fail(ctx, rc,
                      "a revision of note %016" PRIx64 " does not verify "
                      "(%s); its history is not shown",
                      note_id, bnc_strerror(rc));
    if (rc == 0 && k.n != n)
        rc = BNC_EPROTO; /* the library called back once a revision */
    if (rc != 0)
        goto cleanup;
    if (json)
        print_json(p, v, n, &k);
    else
        rc = print_table(p, v, n, &k);
    fflush(stdout);
cleanup:
    kept_free(&k);
    free(v);
    bnc_pair_free(p);
    return rc;
}
