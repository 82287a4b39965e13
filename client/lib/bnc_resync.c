/*
 * bnc_resync.c: after an operator restored the server's data from a
 * backup (issue 15), saying exactly what the server lost, and letting the
 * member accept the server's history explicitly (DESIGN.md, "After a
 * restore"; SECURITY.md, "Resync").
 *
 * The profile keeps, beside log/PAIR (the last verified head), three
 * small files, mode 0600, that hold ids, numbers and dates only, never
 * any content:
 *
 *   log/PAIR.idx     one line per entry this client verified:
 *                    seq op flags author time item sub hash
 *                    (rewritten whole, atomically, when the head moves)
 *   log/PAIR.mine    one line per note revision this member wrote:
 *                    note_id revision kind session
 *   log/PAIR.resync  per accepted resync, a line
 *                    "resync date from known server forked exact n"
 *                    then n lines "lost seq op flags author time item sub
 *                    kind session"
 *
 * When the server's log no longer holds the remembered head, its whole
 * log is still verified (a log that fails any check is BN_ECHAIN, never
 * a mere loss); then bnc__log_loss compares it with the index, entry by
 * entry, and names the first that differs (a fork) or is missing (a
 * truncation), and the lost entries the index knows.
 */
#include "binome.h"
#include "bnc_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The most a profile file of this module may hold (a log of 2^18
 * entries is about 40 MiB of index). */
#define FILE_MAX (64u << 20)

/* The public codes are the wire's. */
#define SAME(x) _Static_assert((int)BNC_LOG_OP_##x == (int)BN_MSG_##x, #x)
SAME(PAIR_ERASE);
SAME(PAIR_ACCEPT);
SAME(PAIR_END);
SAME(KEY_PUT);
SAME(MEMBER_ADD);
SAME(NOTE_PUT);
SAME(MEMBER_REMOVE);
SAME(SIDE_KEY_PUT);
SAME(SESSION_ADD);
SAME(SESSION_UPDATE);
SAME(SESSION_MODE_SET);
SAME(OBJECTIVE_ADD);
SAME(OBJECTIVE_REACH);
SAME(OBJECTIVE_EDIT);
SAME(OBJECTIVE_ABANDON);
SAME(OBJECTIVE_REOPEN);
SAME(DOC_CHUNK);

/* ---- what an entry logged, in words ------------------------------- */

static const struct {
    uint8_t op;
    const char *name;
} op_names[] = {
    {0, "entry (old format)"},
    {BN_MSG_PAIR_ACCEPT, "charter acceptance"},
    {BN_MSG_PAIR_END, "end of the pairing"},
    {BN_MSG_KEY_PUT, "key epoch"},
    {BN_MSG_NOTE_PUT, "note revision"},
    {BN_MSG_SESSION_ADD, "session"},
    {BN_MSG_SESSION_UPDATE, "session update"},
    {BN_MSG_SESSION_MODE_SET, "session mode"},
    {BN_MSG_OBJECTIVE_ADD, "objective"},
    {BN_MSG_OBJECTIVE_REACH, "objective reached"},
    {BN_MSG_OBJECTIVE_EDIT, "objective edit"},
    {BN_MSG_OBJECTIVE_ABANDON, "objective abandoned"},
    {BN_MSG_OBJECTIVE_REOPEN, "objective reopened"},
    {BN_MSG_DOC_CHUNK, "document"},
    {BN_MSG_PAIR_ERASE, "erasure request"},
    {BN_MSG_MEMBER_ADD, "member change (added)"},
    {BN_MSG_MEMBER_REMOVE, "member change (removed)"},
    {BN_MSG_SIDE_KEY_PUT, "side key epoch"},
};

const char *bnc_log_op_name(uint8_t op)
{
    for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
        if (op_names[i].op == op)
            return op_names[i].name;
    return "entry";
}

/* ---- files ---------------------------------------------------------- */

/* file_path writes dir/log/PAIR.ext to out (and makes dir/log when mk). */
static int file_path(const bnc_profile *prof, uint64_t pair_id, const char *ext,
                     char *out, size_t size, int mk)
{
    int rc, n;

    if (mk) {
        rc = bnc_profile_path(prof, out, size, "log");
        if (rc == 0)
            rc = bnc__mkdir_private(out);
        if (rc != 0)
            return rc;
    }
    n = snprintf(out, size, "%s/log/%" PRIu64 ".%s", prof->dir, pair_id, ext);
    return (n < 0 || (size_t)n >= size) ? BN_EINVAL : 0;
}

/* read_all reads a whole file (at most FILE_MAX bytes) into a malloc'd,
 * NUL-terminated buffer; a missing file is *buf NULL. */
static int read_all(const char *path, char **buf)
{
    FILE *f = fopen(path, "r");
    char *b = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;

    *buf = NULL;
    if (f == NULL)
        return errno == ENOENT ? 0 : -errno;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *nb;
            if (cap >= FILE_MAX) {
                rc = BN_ELIMIT;
                break;
            }
            cap = cap ? cap * 2 : 8192;
            nb = realloc(b, cap);
            if (nb == NULL) {
                rc = BN_ENOMEM;
                break;
            }
            b = nb;
        }
        size_t got = fread(b + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                rc = BN_EIO;
            break;
        }
    }
    fclose(f);
    if (rc != 0) {
        free(b);
        return rc;
    }
    if (b == NULL && (b = malloc(1)) == NULL)
        return BN_ENOMEM;
    b[len] = '\0';
    *buf = b;
    return 0;
}

/* growable text for the files written whole */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static int add(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int add(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->cap - t->len < 512) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        char *s;
        if (cap > FILE_MAX)
            return BN_ELIMIT;
        s = realloc(t->s, cap);
        if (s == NULL)
            return BN_ENOMEM;
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len)
        return BN_EINVAL;
    t->len += (size_t)n;
    return 0;
}

/* add_raw appends len bytes of s. */
static int add_raw(text *t, const char *s, size_t len)
{
    if (len > FILE_MAX || t->len + len + 512 > FILE_MAX)
        return BN_ELIMIT;
    if (t->cap - t->len < len + 512) {
        char *n = realloc(t->s, t->len + len + 4096);
        if (n == NULL)
            return BN_ENOMEM;
        t->s = n;
        t->cap = t->len + len + 4096;
    }
    memcpy(t->s + t->len, s, len);
    t->len += len;
    return 0;
}

/* ---- the index -------------------------------------------------------- */

int bnc__idx_write(const bnc_profile *prof, const bnc_pair *p)
{
    char path[BNC_PATH_MAX + 64], hex[2 * BN_HASH_BYTES + 1];
    uint8_t h[BN_HASH_BYTES];
    text t = {0};
    int rc;

    rc = file_path(prof, p->info.id, "idx", path, sizeof path, 1);
    for (size_t i = 0; rc == 0 && i < p->nlog; i++) {
        const bn_log_entry *e = &p->log[i];
        rc = bn_log_entry_hash(h, p->info.id, e);
        if (rc != 0)
            break;
        bn_hex_encode(hex, h, sizeof h);
        rc = add(&t,
                 "%" PRIu64 " %u %u %" PRIu64 " %" PRId64 " %" PRIu64
                 " %" PRIu32 " %s\n",
                 e->seq, (unsigned)e->op, (unsigned)e->flags, e->author_id,
                 e->time, e->item, e->sub, hex);
    }
    if (rc == 0)
        rc = bn_file_write_atomic(path, (const uint8_t *)(t.s ? t.s : ""),
                                  t.len, 0600);
    free(t.s);
    return rc;
}

int bnc__idx_keep(const bnc_profile *prof, const bnc_pair *p, int changed)
{
    char path[BNC_PATH_MAX + 64];

    if (!changed &&
        file_path(prof, p->info.id, "idx", path, sizeof path, 0) == 0 &&
        access(path, F_OK) == 0)
        return 0;
    return bnc__idx_write(prof, p);
}

/* mine_fill sets the kind and session of own note revisions from
 * log/PAIR.mine (lines that do not parse are skipped: the file is only
 * a help to name what to write again). */
static void mine_fill(const bnc_profile *prof, uint64_t pair_id, bnc__idx *v,
                      size_t n)
{
    char path[BNC_PATH_MAX + 64], *buf = NULL, *line, *save = NULL;

    if (file_path(prof, pair_id, "mine", path, sizeof path, 0) != 0 ||
        read_all(path, &buf) != 0 || buf == NULL)
        return;
    for (line = strtok_r(buf, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long long note, session;
        unsigned rev, kind;
        if (sscanf(line, "%llx %u %u %llu", &note, &rev, &kind, &session) != 4)
            continue;
        for (size_t i = 0; i < n; i++)
            if (v[i].it.op == BN_MSG_NOTE_PUT && v[i].it.item == note &&
                v[i].it.sub == rev) {
                v[i].it.note_kind = (uint8_t)kind;
                v[i].it.session_id = session;
            }
    }
    free(buf);
}

int bnc__idx_load(const bnc_profile *prof, uint64_t pair_id, bnc__idx **out,
                  size_t *n)
{
    char path[BNC_PATH_MAX + 64], *buf = NULL, *line, *save = NULL;
    bnc__idx *v = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    *n = 0;
    rc = file_path(prof, pair_id, "idx", path, sizeof path, 0);
    if (rc == 0)
        rc = read_all(path, &buf);
    if (rc != 0 || buf == NULL)
        return rc;
    for (line = strtok_r(buf, "\n", &save); rc == 0 && line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long long seq, author, item;
        long long tm;
        unsigned op, flags, sub;
        char hex[2 * BN_HASH_BYTES + 1];
        bnc__idx x;
        memset(&x, 0, sizeof x);
        if (sscanf(line, "%llu %u %u %llu %lld %llu %u %64[0-9a-f]", &seq, &op,
                   &flags, &author, &tm, &item, &sub, hex) != 8 ||
            strlen(hex) != 2 * BN_HASH_BYTES || op > 0xff || flags > 0xffff ||
            bn_hex_decode(x.hash, sizeof x.hash, hex) != 0) {
            rc = BN_ECORRUPT;
            break;
        }
        x.it.seq = seq;
        x.it.op = (uint8_t)op;
        x.it.flags = (uint16_t)flags;
        x.it.author_id = author;
        x.it.time = tm;
        x.it.item = item;
        x.it.sub = sub;
        rc = bnc__append((void **)&v, &len, sizeof x, &x);
    }
    free(buf);
    if (rc != 0) {
        free(v);
        return rc;
    }
    mine_fill(prof, pair_id, v, len);
    *out = v;
    *n = len;
    return 0;
}

int bnc__mine_note(const bnc_profile *prof, uint64_t pair_id, uint64_t note_id,
                   uint32_t revision, uint8_t kind, uint64_t session_id)
{
    char path[BNC_PATH_MAX + 64], line[96];
    int rc, fd, n;

    rc = file_path(prof, pair_id, "mine", path, sizeof path, 1);
    if (rc != 0)
        return rc;
    n = snprintf(line, sizeof line,
                 "%016" PRIx64 " %" PRIu32 " %u %" PRIu64 "\n", note_id,
                 revision, (unsigned)kind, session_id);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (write(fd, line, (size_t)n) != n)
        rc = BN_EIO;
    if (close(fd) != 0 && rc == 0)
        rc = BN_EIO;
    return rc;
}

/* ---- the loss ----------------------------------------------------------- */

void bnc__loss_clear(bnc_log_loss *l)
{
    if (l == NULL)
        return;
    free(l->lost);
    memset(l, 0, sizeof *l);
}

int bnc__log_loss(uint64_t pair_id, const bnc_log_head *known,
                  const bnc__idx *idx, size_t nidx, const bn_log_entry *log,
                  size_t nlog, bnc_log_loss *out)
{
    uint8_t h[BN_HASH_BYTES];
    size_t m = 0, lim;
    int usable, rc;

    memset(out, 0, sizeof *out);
    if (known->seq == 0)
        return BN_EINVAL;
    for (size_t i = 0; i < nlog; i++)
        if (log[i].seq != i + 1)
            return BN_EINVAL; /* a verified log from seq 1 only */
    out->known_seq = known->seq;
    out->server_seq = nlog;
    /* The index is usable when it runs from seq 1 up to the known head
     * and ends there with the head's hash. */
    while (m < nidx && idx[m].it.seq == m + 1)
        m++;
    usable = m >= known->seq && sodium_memcmp(idx[known->seq - 1].hash,
                                              known->hash, BN_HASH_BYTES) == 0;
    if (nlog >= known->seq) {
        rc = bn_log_entry_hash(h, pair_id, &log[known->seq - 1]);
        if (rc != 0)
            return rc;
        if (sodium_memcmp(h, known->hash, sizeof h) == 0)
            return BN_EINVAL; /* the log holds the known head */
    }
    if (usable) {
        lim = nlog < known->seq ? nlog : (size_t)known->seq;
        out->from_seq = 0;
        for (size_t i = 0; i < lim && out->from_seq == 0; i++) {
            rc = bn_log_entry_hash(h, pair_id, &log[i]);
            if (rc != 0)
                return rc;
            if (sodium_memcmp(h, idx[i].hash, sizeof h) != 0)
                out->from_seq = i + 1;
        }
        out->forked = out->from_seq != 0;
        if (out->from_seq == 0)
            out->from_seq = nlog + 1;
        out->exact = 1;
    } else {
        /* Only the head to go by: a log as long holds another entry
         * there; a shorter one lost at least what follows its end. */
        out->forked = nlog >= known->seq;
        out->from_seq = out->forked ? known->seq : nlog + 1;
        out->exact = 0;
    }
    for (size_t i = 0; i < nidx; i++) {
        if (idx[i].it.seq < out->from_seq || idx[i].it.seq > known->seq)
            continue;
        rc = bnc__append((void **)&out->lost, &out->nlost, sizeof idx[i].it,
                         &idx[i].it);
        if (rc != 0) {
            bnc__loss_clear(out);
            return rc;
        }
    }
    return 0;
}

const bnc_log_loss *bnc_client_log_loss(const bnc_client *c)
{
    return c != NULL && c->loss.known_seq != 0 ? &c->loss : NULL;
}

int bnc__resync_forget(const bnc_profile *prof, uint64_t pair_id)
{
    static const char *const ext[] = {"idx", "mine", "resync"};
    char path[BNC_PATH_MAX + 64];
    int rc = 0;

    for (size_t i = 0; i < sizeof ext / sizeof ext[0] && rc == 0; i++) {
        rc = file_path(prof, pair_id, ext[i], path, sizeof path, 0);
        if (rc == 0 && unlink(path) != 0 && errno != ENOENT)
            rc = -errno;
    }
    if (rc == 0)
        rc = bnc_sent_forget(prof, pair_id);
    return rc;
}

/* ---- the record of resyncs ------------------------------------------- */

int bnc__resync_record(const bnc_profile *prof, uint64_t pair_id,
                       const bnc_log_loss *l)
{
    char path[BNC_PATH_MAX + 64], *old = NULL;
    text t = {0};
    int rc;

    rc = file_path(prof, pair_id, "resync", path, sizeof path, 1);
    if (rc == 0)
        rc = read_all(path, &old);
    if (rc == 0 && old != NULL)
        rc = add_raw(&t, old, strlen(old));
    if (rc == 0)
        rc = add(&t,
                 "resync %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                 " %d %d %zu\n",
                 (int64_t)time(NULL), l->from_seq, l->known_seq, l->server_seq,
                 l->forked, l->exact, l->nlost);
    for (size_t i = 0; rc == 0 && i < l->nlost; i++) {
        const bnc_log_item *x = &l->lost[i];
        rc = add(&t,
                 "lost %" PRIu64 " %u %u %" PRIu64 " %" PRId64 " %" PRIu64
                 " %" PRIu32 " %u %" PRIu64 "\n",
                 x->seq, (unsigned)x->op, (unsigned)x->flags, x->author_id,
                 x->time, x->item, x->sub, (unsigned)x->note_kind,
                 x->session_id);
    }
    if (rc == 0)
        rc = bn_file_write_atomic(path, (const uint8_t *)t.s, t.len, 0600);
    free(old);
    free(t.s);
    return rc;
}

void bnc_log_resyncs_free(bnc_resync *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i].loss.lost);
    free(v);
}

int bnc_log_resyncs(const bnc_profile *prof, uint64_t pair_id, bnc_resync **out,
                    size_t *n)
{
    char path[BNC_PATH_MAX + 64], *buf = NULL, *line, *save = NULL;
    bnc_resync *v = NULL;
    size_t len = 0, want = 0;
    int rc;

    *out = NULL;
    *n = 0;
    rc = file_path(prof, pair_id, "resync", path, sizeof path, 0);
    if (rc == 0)
        rc = read_all(path, &buf);
    if (rc != 0 || buf == NULL)
        return rc;
    for (line = strtok_r(buf, "\n", &save); rc == 0 && line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        long long date;
        unsigned long long a, b, c2, d, e, f;
        unsigned op, flags, sub, kind;
        long long tm;
        int forked, exact;
        size_t cnt;
        if (sscanf(line, "resync %lld %llu %llu %llu %d %d %zu", &date, &a, &b,
                   &c2, &forked, &exact, &cnt) == 7) {
            bnc_resync r;
            if (want != 0 || cnt > FILE_MAX / 16) {
                rc = BN_ECORRUPT;
                break;
            }
            memset(&r, 0, sizeof r);
            r.date = date;
            r.loss.from_seq = a;
            r.loss.known_seq = b;
            r.loss.server_seq = c2;
            r.loss.forked = forked != 0;
            r.loss.exact = exact != 0;
            want = cnt;
            rc = bnc__append((void **)&v, &len, sizeof r, &r);
        } else if (sscanf(line, "lost %llu %u %u %llu %lld %llu %u %u %llu", &a,
                          &op, &flags, &d, &tm, &e, &sub, &kind, &f) == 9 &&
                   want > 0 && len > 0 && op <= 0xff && flags <= 0xffff &&
                   kind <= 0xff) {
            bnc_log_item x;
            memset(&x, 0, sizeof x);
            x.seq = a;
            x.op = (uint8_t)op;
            x.flags = (uint16_t)flags;
            x.author_id = d;
            x.time = tm;
            x.item = e;
            x.sub = sub;
            x.note_kind = (uint8_t)kind;
            x.session_id = f;
            rc = bnc__append((void **)&v[len - 1].loss.lost,
                             &v[len - 1].loss.nlost, sizeof x, &x);
            want--;
        } else {
            rc = BN_ECORRUPT;
        }
    }
    free(buf);
    if (rc == 0 && want != 0)
        rc = BN_ECORRUPT;
    if (rc != 0) {
        bnc_log_resyncs_free(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return 0;
}

/* ---- resync ------------------------------------------------------------- */

/* check_items lists every note, session, objective and document of p:
 * each list is checked against the pair's log (bnc_ledger.c), so that a
 * server that withholds or alters a record is refused before a resync
 * is recorded, not after. */
static int check_items(bnc_client *c, const bnc_pair *p)
{
    bnc_note_meta *notes = NULL;
    bnc_session *sessions = NULL;
    bnc_objective *objectives = NULL;
    bnc_doc *docs = NULL;
    size_t nn = 0, ns = 0, no = 0, nd = 0;
    int rc;

    rc = bnc_note_list(c, p, &notes, &nn);
    if (rc == 0)
        rc = bnc_session_list(c, p, &sessions, &ns);
    if (rc == 0)
        rc = bnc_objective_list(c, p, &objectives, &no);
    if (rc == 0)
        rc = bnc_doc_list(c, p, &docs, &nd);
    free(notes);
    free(sessions);
    bnc_objective_list_free(objectives, no);
    bnc_doc_list_free(docs, nd);
    return rc;
}

int bnc_pair_resync(bnc_client *c, uint64_t pair_id, uint64_t from_seq,
                    bnc_pair **out, int *resynced)
{
    int rc;

    *out = NULL;
    if (resynced != NULL)
        *resynced = 0;
    if (from_seq == 0)
        return BN_EINVAL;
    /* Opened without keys (no key is drawn, nothing is written) and
     * without remembering the new head until every record checked. */
    c->resync_from = from_seq;
    c->resync_hold = 1;
    rc = bnc_pair_open(c, pair_id, BNC_PAIR_NOKEYS, out);
    c->resync_from = 0;
    c->resync_hold = 0;
    if (rc == 0 && (*out)->resynced) {
        rc = check_items(c, *out);
        if (rc == 0)
            rc = bnc__log_remember(c, *out);
        if (rc != 0) {
            bnc_pair_free(*out);
            *out = NULL;
        }
    }
    if (rc == 0 && resynced != NULL)
        *resynced = (*out)->resynced;
    return rc;
}
