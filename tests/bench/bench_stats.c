/*
 * bench_stats: how long a programme's statistics take to serve (a
 * benchmark, not a test: it prints figures and fails only when something
 * does not work).
 *
 * It builds a store in a temporary directory, in process, through the
 * dispatch and the writer thread as the daemon would (requests are
 * pipelined, so the writer applies them in large group-commit
 * transactions, and every counter is kept by the same handler and hook
 * code as in production): one programme, BENCH_PAIRS pairs (two accounts
 * each, both accepted), BENCH_SESSIONS sessions spread over two years
 * (held, planned, cancelled, some absences), each with its signed log
 * entry. Then it times STATS_GET and every STATS_PAIRS_GET page through
 * the dispatch (median of BENCH_ROUNDS rounds) and prints one line:
 *
 *   stats: pairs=10000 sessions=200000 stats_get_ms=... stats_pairs_ms=...
 *          pages=... total_ms=... (build_s=...)
 *
 * Environment: BENCH_PAIRS, BENCH_SESSIONS (per-pair count is their
 * quotient), BENCH_ROUNDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bn_testfs.h"
#include "bench_world.h"

#define CHUNK 4096u /* requests in flight at most */

struct world {
    bw_world core; /* programme, accounts, pairs (bench_world.h) */
    unsigned per_pair;
};

/* Session k of pair i: two years of roughly monthly meetings, most held,
 * the last ones planned, some cancelled, some absences. */
static void build_sessions(struct world *w, uint32_t first_day)
{
    uint8_t buf[BN_LOG_ENTRY_BYTES];
    bn_msg m;

    for (unsigned k = 0; k < w->per_pair; k++) {
        for (unsigned i = 0; i < w->core.npairs; i++) {
            /* one author per pair: the server orders one connection's
             * writes, not two connections' */
            bw_client *c = &w->core.mentors[i];
            const bn_identity *id = w->core.idm;
            bn_msg_init(&m, BN_MSG_SESSION_ADD, 0);
            m.u.session_add.pair_id = w->core.pairs[i];
            m.u.session_add.date =
                first_day + (i % 28) + k * (700 / (w->per_pair + 1));
            m.u.session_add.status = k + 3 >= w->per_pair ? BN_SESSION_PLANNED
                                     : (i + k) % 9 == 0   ? BN_SESSION_CANCELLED
                                                          : BN_SESSION_HELD;
            m.u.session_add.absent = (i + k) % 11 == 0   ? BN_ABSENT_MENTOR
                                     : (i + k) % 13 == 0 ? BN_ABSENT_MENTEE
                                                         : 0;
            bw_sign_entry(&m, w->core.pairs[i], c->account, id->sign_sk,
                          &w->core.seq[i], w->core.head[i], buf);
            c->on = NULL;
            bw_send_req(c, &m);
        }
    }
    bw_drain();
}

/* ---- measures ------------------------------------------------------------ */

struct pages {
    uint64_t last;
    unsigned rows;
    int more;
    uint64_t sessions;
};

static void on_stats(bw_client *c, const bn_msg *rep, void *arg)
{
    uint64_t *sessions = arg;
    (void)c;
    if (rep->type != BN_MSG_STATS)
        bw_die("STATS expected", BN_EPROTO);
    *sessions = (uint64_t)rep->u.stats.sessions_held +
                rep->u.stats.sessions_planned + rep->u.stats.sessions_cancelled;
}

static void on_stats_pairs(bw_client *c, const bn_msg *rep, void *arg)
{
    struct pages *p = arg;
    (void)c;
    const bn_stats_pairs *r = &rep->u.stats_pairs;
    for (uint32_t i = 0; i < r->items.len; i++) {
        p->sessions += r->items.v[i].sessions_held +
                       r->items.v[i].sessions_planned +
                       r->items.v[i].sessions_cancelled;
        p->last = r->items.v[i].pair_id;
    }
    p->rows += r->items.len;
    p->more = r->more;
}

int main(void)
{
    char tmp[64] = "/tmp/bench-stats-XXXXXX", dir[96];
    bn_invite_code ic;
    bnd_config cfg;
    struct world w;
    unsigned npairs = bn_bench_env_num("BENCH_PAIRS", 10000);
    unsigned nsessions = bn_bench_env_num("BENCH_SESSIONS", 200000);
    unsigned rounds = bn_bench_env_num("BENCH_ROUNDS", 5);

    bw.name = "bench_stats";
    bw.pipeline = CHUNK;
    if (bn_crypto_init() != 0 || mkdtemp(tmp) == NULL)
        bw_die("setup", BN_EINTERNAL);
    snprintf(dir, sizeof dir, "%s/data", tmp);
    bw_open(dir, NULL, &ic, &cfg);

    bw_world_init(&w.core, npairs, 0);
    w.per_pair = nsessions / npairs ? nsessions / npairs : 1;

    double t0 = bn_bench_now_ms();
    bw.phase = "accounts";
    bw_build_accounts(&w.core, ic.token, "Admin", w.core.idm,
                      "Bench programme");
    bw.phase = "pairs";
    bw_build_pairs(&w.core);
    bw.phase = "sessions";
    build_sessions(&w, bn_date_today() - 730);
    bw.phase = "measures";
    double build_s = (bn_bench_now_ms() - t0) / 1e3;
    uint64_t want_sessions = (uint64_t)w.per_pair * npairs;

    /* the measures: each round one STATS_GET, then every page */
    double *get_ms = calloc(rounds, sizeof *get_ms);
    double *pairs_ms = calloc(rounds, sizeof *pairs_ms);
    unsigned pages = 0;
    uint64_t page_bytes = 0;
    if (get_ms == NULL || pairs_ms == NULL)
        bw_die("memory", BN_ENOMEM);
    for (unsigned r = 0; r < rounds; r++) {
        uint64_t sessions = 0;
        bn_msg m;
        bn_msg_init(&m, BN_MSG_STATS_GET, 0);
        m.u.stats_get.programme_id = w.core.prog;
        w.core.admin.on = on_stats;
        w.core.admin.arg = &sessions;
        double t = bn_bench_now_ms();
        bw_send_req(&w.core.admin, &m);
        bw_drain();
        get_ms[r] = bn_bench_now_ms() - t;
        if (sessions != want_sessions)
            bw_die("STATS_GET counts", BN_EINTERNAL);

        struct pages p = {0, 0, 1, 0};
        w.core.admin.on = on_stats_pairs;
        w.core.admin.arg = &p;
        pages = 0;
        bw.reply_bytes = 0;
        t = bn_bench_now_ms();
        while (p.more) {
            bn_msg_init(&m, BN_MSG_STATS_PAIRS_GET, 0);
            m.u.stats_pairs_get.programme_id = w.core.prog;
            m.u.stats_pairs_get.after = p.last;
            bw_send_req(&w.core.admin, &m);
            bw_drain();
            pages++;
        }
        pairs_ms[r] = bn_bench_now_ms() - t;
        page_bytes = bw.reply_bytes;
        if (p.rows != npairs || p.sessions != want_sessions)
            bw_die("STATS_PAIRS rows", BN_EINTERNAL);
    }
    qsort(get_ms, rounds, sizeof *get_ms, bn_bench_cmp_double);
    qsort(pairs_ms, rounds, sizeof *pairs_ms, bn_bench_cmp_double);
    double g = get_ms[rounds / 2], p = pairs_ms[rounds / 2];
    printf(
        "stats: pairs=%u sessions=%llu stats_get_ms=%.3f stats_pairs_ms=%.3f "
        "pages=%u reply_bytes=%llu total_ms=%.3f (build_s=%.1f, median of "
        "%u)\n",
        npairs, (unsigned long long)want_sessions, g, p, pages,
        (unsigned long long)page_bytes, g + p, build_s, rounds);

    bnd_server_close(bw.srv);
    uv_loop_close(&bw.loop);
    bw_world_free(&w.core);
    free(get_ms);
    free(pairs_ms);
    bn_testfs_rmtree(tmp);
    return 0;
}
