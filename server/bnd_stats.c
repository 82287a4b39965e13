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

/* Adds delta to one session's counts: status, absences. */
static void count_fact(uint32_t *held, uint32_t *planned, uint32_t *cancelled,
                       uint32_t *abs_mentor, uint32_t *abs_mentee,
                       const bnd_session_fact *f, int delta)
{
    uint32_t *c = by_status(f->status, held, planned, cancelled);
    if (c != NULL)
        bump(c, delta, "sessions");
    if (f->absent & BN_ABSENT_MENTOR)
        bump(abs_mentor, delta, "absent_mentor");
    if (f->absent & BN_ABSENT_MENTEE)
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
        if (s.status == BN_SESSION_HELD) {
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
    bn_rec_prog_stats p;
    bn_rec_pair_stats ps;
    void *arena = NULL;
    int rc;

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

/* Counts one objective defined (or reached) for the pair and its
 * programme. */
static int count_objective(bnd_store *st, MDB_txn *txn, uint64_t pair,
                           uint64_t programme, int reached)
{
    bn_rec_prog_stats p;
    bn_rec_pair_stats ps;
    void *arena = NULL;
    int rc;

    rc = bnd_stats_prog_get(st, txn, programme, &p, &arena);
    if (rc == 0)
        rc = pair_load(st, txn, pair, programme, &ps, &arena);
    if (rc == 0) {
        if (reached) {
            p.objectives_reached++;
            ps.objectives_reached++;
        } else {
            p.objectives_defined++;
            ps.objectives_defined++;
        }
        rc = prog_put(st, txn, &p);
    }
    if (rc == 0)
        rc = pair_put(st, txn, &ps, 0);
    bn_arena_free(&arena);
    return rc;
}

int bnd_stats_objective_defined(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme)
{
    return count_objective(st, txn, pair, programme, 0);
}

int bnd_stats_objective_reached(bnd_store *st, MDB_txn *txn, uint64_t pair,
                                uint64_t programme)
{
    return count_objective(st, txn, pair, programme, 1);
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
