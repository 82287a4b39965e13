/* bnd_stats.c: the statistics counters, updated inside the writes'
 * transactions (bnd_stats.h). */
#include "bnd_stats.h"

#include <stdlib.h>
#include <string.h>

#include "bnd_log.h"

/* The month list must hold every month of BN_DATE_MIN..BN_DATE_MAX. */
_Static_assert(BND_STATS_MONTHS_MAX >= (2199 - 2000 + 1) * 12,
               "the month list must hold every month binome accepts");

uint32_t bnd_stats_month(uint32_t day)
{
    int y, m, d;
    bn_date_to_ymd(day, &y, &m, &d);
    return (uint32_t)(y * 12 + m - 1);
}

/* Adds delta to *c; a counter that would go below zero stays at zero. */
static void bump(uint32_t *c, int delta, const char *what)
{
    if (delta < 0 && *c < (uint32_t)-delta) {
        bnd_log(BND_LOG_WARN, "stats.underflow", "counter=%s", what);
        *c = 0;
        return;
    }
    *c = (uint32_t)((int64_t)*c + delta);
}

/* ---- records -------------------------------------------------------------
 */

int bnd_stats_prog_get(bnd_store *st, MDB_txn *txn, uint64_t programme,
                       bn_rec_prog_stats *out, void **arena)
{
    int rc = bnd_rec_get(st, txn, bnd_key_prog_stats(programme), out, arena);
    if (rc == BN_ENOTFOUND) {
        memset(out, 0, sizeof *out);
        out->programme_id = programme;
        return 0;
    }
    return rc;
}

static int prog_put(bnd_store *st, MDB_txn *txn, const bn_rec_prog_stats *p)
{
    return bnd_rec_put(st, txn, bnd_key_prog_stats(p->programme_id), p, 0);
}

int bnd_stats_pair_get(bnd_store *st, MDB_txn *txn, uint64_t pair,
                       uint64_t programme, bn_rec_pair_stats *out, void **arena)
{
    return bnd_rec_get(st, txn, bnd_key_pair_stats(programme, pair), out,
                       arena);
}

static int pair_put(bnd_store *st, MDB_txn *txn, const bn_rec_pair_stats *p,
                    unsigned flags)
{
    return bnd_rec_put(st, txn, bnd_key_pair_stats(p->programme_id, p->pair_id),
                       p, flags);
}

/* Loads pair's counters; a pair without any (it cannot happen for a pair
 * made since schema 3) starts from zeros. */
static int pair_load(bnd_store *st, MDB_txn *txn, uint64_t pair,
                     uint64_t programme, bn_rec_pair_stats *ps, void **arena)
{
    int rc = bnd_stats_pair_get(st, txn, pair, programme, ps, arena);
    if (rc == BN_ENOTFOUND) {
        memset(ps, 0, sizeof *ps);
        ps->pair_id = pair;
        ps->programme_id = programme;
        return 0;
    }
    return rc;
}

/* ---- sessions --------------------------------------------------------------
 */

/* The three counters of a status (NULL for an unknown one). */
static uint32_t *by_status(uint8_t status, uint32_t *held, uint32_t *planned,
                           uint32_t *cancelled)
{
    switch (status) {
    case BN_SESSION_HELD:
        return held;
    case BN_SESSION_PLANNED:
        return planned;
    case BN_SESSION_CANCELLED:
        return cancelled;
    default:
        return NULL;
    }
}

/*
 * counted gives a session's facts as the counters count them (the rules
 * in bnd_stats.h, here only): a session recorded held with both members
 * absent did not take place, so it counts as cancelled; absences count
 * only on a session recorded held (nobody is absent from a planned or a
 * cancelled one). Every counter, the first and last held days and the
 * recount go through it.
 */
static bnd_session_fact counted(const bnd_session_fact *f)
{
    const uint8_t both = BN_ABSENT_MENTOR | BN_ABSENT_MENTEE;
    bnd_session_fact c = *f;

    if (f->status != BN_SESSION_HELD) {
        c.absent = 0;
        c.n_mentor = c.n_mentee = 0;
    } else if ((f->absent & both) == both)
        c.status = BN_SESSION_CANCELLED;
    return c;
}

int bnd_stats_held(const bnd_session_fact *f)
{
    return counted(f).status == BN_SESSION_HELD;
}

uint32_t bnd_stats_side_absences(const bnd_session_fact *f, uint8_t side_bit)
{
    uint8_t named = side_bit == BN_ABSENT_MENTOR ? f->n_mentor : f->n_mentee;
    if (named > 0)
        return named;
    return (f->absent & side_bit) ? 1 : 0;
}

int bnd_stats_fact(bnd_store *st, MDB_txn *txn, const bn_rec_session *s,
                   bnd_session_fact *f)
{
    bn_rec_session_absent a;
    void *arena = NULL;
    int rc;

    memset(f, 0, sizeof *f);
    f->status = s->status;
    f->absent = s->absent;
    f->date = s->date;
    rc = bnd_rec_get(st, txn, bnd_key_session_absent(s->pair_id, s->id), &a,
                     &arena);
    if (rc == BN_ENOTFOUND) {
        rc = 0;
        a.absentees.len = 0;
    }
    for (uint32_t i = 0; rc == 0 && i < a.absentees.len; i++) {
        bn_rec_member m;
        rc = bnd_rec_get(
            st, txn, bnd_key_members(s->pair_id, a.absentees.v[i].account_id),
            &m, &arena);
        if (rc == BN_ENOTFOUND)
            rc = BN_ECORRUPT; /* an absentee of no member record */
        else if (rc == 0 && m.role == BN_ROLE_MENTOR)
            f->n_mentor++;
        else if (rc == 0 && m.role == BN_ROLE_MENTEE)
            f->n_mentee++;
    }
    bn_arena_free(&arena);
    return rc;
}

/* Adds delta to one session's counts: status, absences (f as counted). */
static void count_fact(uint32_t *held, uint32_t *planned, uint32_t *cancelled,
                       uint32_t *abs_mentor, uint32_t *abs_mentee,
                       const bnd_session_fact *f, int delta)
{
    uint32_t *c = by_status(f->status, held, planned, cancelled);
    if (c != NULL)
        bump(c, delta, "sessions");
    for (uint32_t i = bnd_stats_side_absences(f, BN_ABSENT_MENTOR); i > 0; i--)
        bump(abs_mentor, delta, "absent_mentor");
    for (uint32_t i = bnd_stats_side_absences(f, BN_ABSENT_MENTEE); i > 0; i--)
        bump(abs_mentee, delta, "absent_mentee");
}

/*
 * Adds delta to the month of f in the programme's sorted month list,
 * inserting the month when it is new. The list is rebuilt in *grown
 * (malloc'd; the caller frees it after the record is written) when an
 * entry is added.
 */
static int count_month(bn_rec_prog_stats *p, const bnd_session_fact *f,
                       int delta, struct bn_stats_month **grown)
{
    uint32_t month = bnd_stats_month(f->date);
    uint32_t n = p->months.len, i;

    for (i = 0; i < n && p->months.v[i].month < month; i++)
        ;
    if (i == n || p->months.v[i].month != month) {
        if (delta < 0) {
            bnd_log(BND_LOG_WARN, "stats.underflow", "counter=month");
            return 0;
        }
        if (n >= BND_STATS_MONTHS_MAX)
            return BN_ECORRUPT;
        struct bn_stats_month *v = malloc((n + 1) * sizeof *v);
        if (v == NULL)
            return BN_ENOMEM;
        if (n > 0) {
            memcpy(v, p->months.v, i * sizeof *v);
            memcpy(v + i + 1, p->months.v + i, (n - i) * sizeof *v);
        }
        memset(&v[i], 0, sizeof v[i]);
        v[i].month = month;
        free(*grown);
        *grown = v;
        p->months.v = v;
        p->months.len = n + 1;
    }
    struct bn_stats_month *m = &p->months.v[i];
    uint32_t *c = by_status(f->status, &m->held, &m->planned, &m->cancelled);
    if (c != NULL)
        bump(c, delta, "month");
    return 0;
}

struct held_range {
    uint32_t first, last;
};

/* Recomputes the pair's first and last held days from its sessions. */
static int held_range(bnd_store *st, MDB_txn *txn, uint64_t pair,
                      struct held_range *hr)
{
    MDB_cursor *cur = NULL;
    bnd_key k = bnd_key_prefix(bnd_key_sessions(pair, 0), 1);
    MDB_val key = bnd_key_val(&k), val;
    void *arena = NULL;
    int rc, err = 0;

    hr->first = hr->last = 0;
    rc = bnd_cursor_open(st, txn, k.db, &cur);
    if (rc != 0)
        return rc;
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    while (rc == 0 && bnd_key_has_prefix(&key, &k)) {
        bn_rec_session s;
        err = bnd_rec_decode(&val, &bn_desc_rec_session, &s, &arena);
        if (err != 0)
            break;
        bnd_session_fact f = {s.status, s.absent, s.date, 0, 0};
        int follow = bnd_stats_follow_up(st, txn, pair, s.id);
        if (follow < 0) {
            err = follow;
            break;
        }
        if (!follow && bnd_stats_held(&f)) { /* follow-ups count apart */
            if (hr->first == 0 || s.date < hr->first)
                hr->first = s.date;
            if (s.date > hr->last)
                hr->last = s.date;
        }
        rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    bn_arena_free(&arena);
    if (err != 0)
        return err;
    return rc == MDB_NOTFOUND ? 0 : bnd_mdb_err(rc);
}

int bnd_stats_session(bnd_store *st, MDB_txn *txn, uint64_t pair,
                      uint64_t programme, const bnd_session_fact *before,
                      const bnd_session_fact *after)
{
    struct bn_stats_month *grown = NULL;
    bnd_session_fact cb, ca;
    bn_rec_prog_stats p;
    bn_rec_pair_stats ps;
    void *arena = NULL;
    int rc;

    /* From here on, the facts as counted. */
    if (before != NULL) {
        cb = counted(before);
        before = &cb;
    }
    if (after != NULL) {
        ca = counted(after);
        after = &ca;
    }
    rc = bnd_stats_prog_get(st, txn, programme, &p, &arena);
    if (rc == 0)
        rc = pair_load(st, txn, pair, programme, &ps, &arena);
    if (rc != 0)
        goto cleanup;
    if (before != NULL) {
        count_fact(&p.sessions_held, &p.sessions_planned, &p.sessions_cancelled,
                   &p.absent_mentor, &p.absent_mentee, before, -1);
        count_fact(&ps.sessions_held, &ps.sessions_planned,
                   &ps.sessions_cancelled, &ps.absent_mentor, &ps.absent_mentee,
                   before, -1);
        rc = count_month(&p, before, -1, &grown);
        if (rc != 0)
            goto cleanup;
    }
    if (after != NULL) {
        count_fact(&p.sessions_held, &p.sessions_planned, &p.sessions_cancelled,
                   &p.absent_mentor, &p.absent_mentee, after, 1);
        count_fact(&ps.sessions_held, &ps.sessions_planned,
                   &ps.sessions_cancelled, &ps.absent_mentor, &ps.absent_mentee,
                   after, 1);
        rc = count_month(&p, after, 1, &grown);
        if (rc != 0)
            goto cleanup;
    }
    /* First and last held days: a new held day widens the range; a held
     * day that goes from the range's edge needs the pair's sessions. */
    int was_held = before != NULL && before->status == BN_SESSION_HELD;
    int is_held = after != NULL && after->status == BN_SESSION_HELD;
    if (was_held && !(is_held && after->date == before->date) &&
        (before->date == ps.first_held || before->date == ps.last_held)) {
        struct held_range hr;
        rc = held_range(st, txn, pair, &hr);
        if (rc != 0)
            goto cleanup;
        ps.first_held = hr.first;
        ps.last_held = hr.last;
    } else if (is_held) {
        if (ps.first_held == 0 || after->date < ps.first_held)
            ps.first_held = after->date;
        if (after->date > ps.last_held)
            ps.last_held = after->date;
    }
    rc = prog_put(st, txn, &p);
    if (rc == 0)
        rc = pair_put(st, txn, &ps, 0);
cleanup:
    free(grown);
    bn_arena_free(&arena);
    return rc;
}

/* ---- objectives, pairs, accounts --------------------------------------- */

/* What an objective of status st counts (0: no objective): defined
 * (open or reached: abandoned ones leave it), reached, abandoned. */
static void objective_counts(uint8_t st, int *defined, int *reached,
                             int *abandoned)
{
    *defined = st == BN_OBJECTIVE_DEFINED || st == BN_OBJECTIVE_REACHED;
    *reached = st == BN_OBJECTIVE_REACHED;
    *abandoned = st == BN_OBJECTIVE_ABANDONED;
}

int bnd_stats_objective_counts_get(bnd_store *st, MDB_txn *txn,
                                   uint64_t programme, uint64_t pair,
                                   uint32_t *abandoned)
{
    bn_rec_obj_counts c;
    void *arena = NULL;
    int rc =
        bnd_rec_get(st, txn, bnd_key_obj_counts(programme, pair), &c, &arena);

    bn_arena_free(&arena);
    *abandoned = rc == 0 ? c.abandoned : 0;
    return rc == BN_ENOTFOUND ? 0 : rc;
}

/* Adds delta to the abandoned count under programme || pair. */
static int bump_abandoned(bnd_store *st, MDB_txn *txn, uint64_t programme,
                          uint64_t pair, int delta)
{
    bn_rec_obj_counts c;
    int rc;

    memset(&c, 0, sizeof c);
    c.programme_id = programme;
    c.pair_id = pair;
    rc = bnd_stats_objective_counts_get(st, txn, programme, pair, &c.abandoned);
    if (rc != 0)
        return rc;
    bump(&c.abandoned, delta, "objectives_abandoned");
    return bnd_rec_put(st, txn, bnd_key_obj_counts(programme, pair), &c, 0);
}

int bnd_stats_objective(bnd_store *st, MDB_txn *txn, uint64_t pair,
                        uint64_t programme, uint8_t before, uint8_t after)
{
    bn_rec_prog_stats p;
    bn_rec_pair_stats ps;
    void *arena = NULL;
    int d0, r0, a0, d1, r1, a1;
    int rc;

    objective_counts(before, &d0, &r0, &a0);
    objective_counts(after, &d1, &r1, &a1);
    rc = bnd_stats_prog_get(st, txn, programme, &p, &arena);
    if (rc == 0)
        rc = pair_load(st, txn, pair, programme, &ps, &arena);
    if (rc == 0) {
        bump(&p.objectives_defined, d1 - d0, "objectives_defined");
        bump(&ps.objectives_defined, d1 - d0, "objectives_defined");
        bump(&p.objectives_reached, r1 - r0, "objectives_reached");
        bump(&ps.objectives_reached, r1 - r0, "objectives_reached");
        rc = prog_put(st, txn, &p);
    }
    if (rc == 0)
        rc = pair_put(st, txn, &ps, 0);
    if (rc == 0 && a1 != a0)
        rc = bump_abandoned(st, txn, programme, pair, a1 - a0);
    if (rc == 0 && a1 != a0)
        rc = bump_abandoned(st, txn, programme, 0, a1 - a0);
    bn_arena_free(&arena);
    return rc;
}

int bnd_stats_objective_defined(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme)
{
    return bnd_stats_objective(st, txn, pair, programme, 0,
                               BN_OBJECTIVE_DEFINED);
}

int bnd_stats_objective_reached(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme)
{
    return bnd_stats_objective(st, txn, pair, programme, BN_OBJECTIVE_DEFINED,
                               BN_OBJECTIVE_REACHED);
}

static uint32_t *pair_counter(bn_rec_prog_stats *p, uint8_t status)
{
    switch (status) {
    case BN_PAIR_PENDING:
        return &p->pairs_pending;
    case BN_PAIR_ACTIVE:
        return &p->pairs_active;
    case BN_PAIR_COMPLETED:
        return &p->pairs_completed;
    case BN_PAIR_WITHDRAWN:
        return &p->pairs_withdrawn;
    case BN_PAIR_ERASED:
        return &p->pairs_erased;
    default:
        return NULL;
    }
}

int bnd_stats_pair_status(bnd_store *st, MDB_txn *txn, uint64_t programme,
                          uint8_t old_status, uint8_t new_status)
{
    bn_rec_prog_stats p;
    void *arena = NULL;
    int rc;

    if (old_status == new_status)
        return 0;
    rc = bnd_stats_prog_get(st, txn, programme, &p, &arena);
    if (rc == 0) {
        uint32_t *from = pair_counter(&p, old_status);
        uint32_t *to = pair_counter(&p, new_status);
        if (from != NULL)
            bump(from, -1, "pairs");
        if (to != NULL)
            (*to)++;
        rc = prog_put(st, txn, &p);
    }
    bn_arena_free(&arena);
    return rc;
}

int bnd_stats_pair_created(bnd_store *st, MDB_txn *txn, uint64_t pair,
                           uint64_t programme, uint8_t status)
{
    bn_rec_pair_stats ps;
    memset(&ps, 0, sizeof ps);
    ps.pair_id = pair;
    ps.programme_id = programme;
    int rc = pair_put(st, txn, &ps, MDB_NOOVERWRITE);
    if (rc != 0)
        return rc;
    return bnd_stats_pair_status(st, txn, programme, 0, status);
}

int bnd_stats_account_joined(bnd_store *st, MDB_txn *txn, uint64_t programme,
                             uint8_t role)
{
    bn_rec_prog_stats p;
    void *arena = NULL;
    int rc;

    if (programme == 0 || (role != BN_ROLE_MENTOR && role != BN_ROLE_MENTEE))
        return 0;
    rc = bnd_stats_prog_get(st, txn, programme, &p, &arena);
    if (rc == 0) {
        if (role == BN_ROLE_MENTOR)
            p.mentors++;
        else
            p.mentees++;
        rc = prog_put(st, txn, &p);
    }
    bn_arena_free(&arena);
    return rc;
}

int bnd_stats_follow_up(bnd_store *st, MDB_txn *txn, uint64_t pair, uint64_t id)
{
    bn_rec_follow_up f;
    void *arena = NULL;
    int rc = bnd_rec_get(st, txn, bnd_key_session_follow(pair, id), &f, &arena);

    bn_arena_free(&arena);
    if (rc == BN_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    if (f.pair_id != pair || f.session_id != id)
        return BN_ECORRUPT;
    return f.follow_up ? 1 : 0;
}

/* ---- recount ------------------------------------------------------------ */

struct pair_prog {
    uint64_t pair, programme;
};

/*
 * Reads every record of db into *out (n of them): for each, fn appends
 * what it needs. The records are read first and written afterwards, so
 * that no cursor walks a database while it is written.
 */
static int collect(bnd_store *st, MDB_txn *txn, enum bnd_db db,
                   const bn_struct_desc *d, void *rec,
                   int (*fn)(const void *rec, void **out, size_t *n),
                   void **out, size_t *n)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int rc = 0, mrc = bnd_cursor_open(st, txn, db, &cur);

    if (mrc != 0)
        return bnd_mdb_err(mrc);
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        void *arena = NULL;
        rc = bnd_rec_decode(&v, d, rec, &arena);
        if (rc == 0)
            rc = fn(rec, out, n);
        bn_arena_free(&arena);
    }
    mdb_cursor_close(cur);
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    return rc;
}

static int take_programme(const void *rec, void **out, size_t *n)
{
    const bn_rec_prog_stats *p = rec;
    return bn_array_append(out, n, sizeof p->programme_id, &p->programme_id);
}

static int take_pair(const void *rec, void **out, size_t *n)
{
    const bn_rec_pair *p = rec;
    struct pair_prog pp = {p->id, p->programme_id};
    return bn_array_append(out, n, sizeof pp, &pp);
}

/* The programme of pair among n pairs sorted by id; 0 when unknown. */
static uint64_t programme_of(const struct pair_prog *v, size_t n, uint64_t pair)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].pair == pair)
            return v[mid].programme;
        if (v[mid].pair < pair)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Sets every session counter of every programme and pair to zero. */
static int zero_sessions(bnd_store *st, MDB_txn *txn, const uint64_t *progs,
                         size_t nprogs, const struct pair_prog *pairs,
                         size_t npairs)
{
    int rc = 0;

    for (size_t i = 0; i < nprogs && rc == 0; i++) {
        bn_rec_prog_stats p;
        void *arena = NULL;
        rc = bnd_stats_prog_get(st, txn, progs[i], &p, &arena);
        if (rc == 0) {
            p.sessions_held = p.sessions_planned = p.sessions_cancelled = 0;
            p.absent_mentor = p.absent_mentee = 0;
            p.months.v = NULL;
            p.months.len = 0;
            rc = prog_put(st, txn, &p);
        }
        bn_arena_free(&arena);
    }
    for (size_t i = 0; i < npairs && rc == 0; i++) {
        bn_rec_pair_stats ps;
        void *arena = NULL;
        rc = pair_load(st, txn, pairs[i].pair, pairs[i].programme, &ps, &arena);
        if (rc == 0) {
            ps.sessions_held = ps.sessions_planned = ps.sessions_cancelled = 0;
            ps.absent_mentor = ps.absent_mentee = 0;
            ps.first_held = ps.last_held = 0;
            rc = pair_put(st, txn, &ps, 0);
        }
        bn_arena_free(&arena);
    }
    return rc;
}

/* Counts every session again, as SESSION_ADD counts a new one. */
static int count_sessions(bnd_store *st, MDB_txn *txn,
                          const struct pair_prog *pairs, size_t npairs,
                          size_t *nsessions)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int rc = 0, mrc = bnd_cursor_open(st, txn, BND_DB_SESSIONS, &cur);

    if (mrc != 0)
        return bnd_mdb_err(mrc);
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        void *arena = NULL;
        bn_rec_session s;
        bnd_session_fact f;
        rc = bnd_rec_decode(&v, &bn_desc_rec_session, &s, &arena);
        if (rc == 0) /* absentees, as SESSION_ADD counts them */
            rc = bnd_stats_fact(st, txn, &s, &f);
        bn_arena_free(&arena);
        if (rc != 0)
            break;
        uint64_t prog = programme_of(pairs, npairs, s.pair_id);
        if (prog == 0) {
            rc = BN_ECORRUPT; /* a session of no pair */
            break;
        }
        /* A follow-up (issue 14) counts apart, in follow_counts. */
        rc = bnd_stats_follow_up(st, txn, s.pair_id, s.id);
        if (rc == 1) {
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        /* Writes pair_stats and prog_stats only: the cursor stays valid. */
        rc = bnd_stats_session(st, txn, s.pair_id, prog, NULL, &f);
        (*nsessions)++;
    }
    mdb_cursor_close(cur);
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = bnd_mdb_err(mrc);
    return rc;
}

int bnd_stats_recount(bnd_store *st, MDB_txn *txn)
{
    bn_rec_prog_stats prec;
    bn_rec_pair pair;
    bn_rec_meta meta;
    bnd_key mk = bnd_key_meta(BND_META_STATS);
    uint64_t *progs = NULL;
    struct pair_prog *pairs = NULL;
    size_t nprogs = 0, npairs = 0, nsessions = 0;
    int rc;

    rc = collect(st, txn, BND_DB_PROG_STATS, &bn_desc_rec_prog_stats, &prec,
                 take_programme, (void **)&progs, &nprogs);
    if (rc == 0)
        rc = collect(st, txn, BND_DB_PAIRS, &bn_desc_rec_pair, &pair, take_pair,
                     (void **)&pairs, &npairs);
    if (rc == 0)
        rc = zero_sessions(st, txn, progs, nprogs, pairs, npairs);
    if (rc == 0) /* pairs is sorted: the pairs database is keyed by id */
        rc = count_sessions(st, txn, pairs, npairs, &nsessions);
    if (rc == 0) {
        memset(&meta, 0, sizeof meta);
        meta.version = BND_STATS_COUNTING;
        meta.created = bn_now();
        rc = bnd_rec_put(st, txn, mk, &meta, 0);
    }
    if (rc == 0 && nsessions > 0)
        bnd_log(BND_LOG_INFO, "stats.recounted", "pairs=%zu sessions=%zu",
                npairs, nsessions);
    free(progs);
    free(pairs);
    return rc;
}

int bnd_stats_counting(bnd_store *st, MDB_txn *txn, uint32_t *version)
{
    bn_rec_meta meta;
    bnd_key mk = bnd_key_meta(BND_META_STATS);
    void *arena = NULL;
    int rc = bnd_rec_get(st, txn, mk, &meta, &arena);

    bn_arena_free(&arena);
    *version = rc == 0 ? meta.version : 1;
    return rc == BN_ENOTFOUND ? 0 : rc;
}

/* Write transaction: recounts unless meta says the counters were counted
 * under today's rules. */
static int open_fn(MDB_txn *txn, void *arg)
{
    bnd_store *st = arg;
    uint32_t version;
    int rc = bnd_stats_counting(st, txn, &version);

    if (rc != 0 || version == BND_STATS_COUNTING)
        return rc;
    return bnd_stats_recount(st, txn);
}

int bnd_stats_open(bnd_store *st)
{
    return bnd_store_write(st, open_fn, st);
}
