/*
 * fuzz_members.c: libFuzzer target for a team pairing's membership as the
 * client replays it from the signed log (client/lib/bnc_ledger.c, issue
 * 14): acceptances of the list of their point, KEY_PUT, MEMBER_ADD (with
 * and without history) and MEMBER_REMOVE entries, then the member list,
 * epochs and wraps the server shows.
 *
 * The input is a script. Its first bytes pick up to six accounts (a side
 * each) and the pair's two referents; then each group of four bytes is one
 * step: an entry by a member of the moment (an acceptance, a key put, an
 * addition or a removal, valid for the step or not) or a lie of the server
 * (a member's epochs, side or keys changed, a member or a wrap dropped, a
 * wrap given to someone else, the epoch moved). Entries carry the body hash
 * of their request, as a member's client makes them; signatures are not
 * needed (bnc__ledger_pair checks what the log says, bnc_log.c verified who
 * said it).
 *
 * The replay must not crash, and when it accepts the pair: the pair's
 * epoch is the number of epochs keyed, every current member holds a wrap
 * of it, no one else does, and every member besides the two referents was
 * added by an entry of their side's referent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binome.h"
#include "bnc_internal.h"

#define PAIR 5
#define PEOPLE 6
#define WRAPS_MAX 128

static uint8_t box_pk[PEOPLE][32], sign_pk[PEOPLE][32];
static int ready;

typedef struct script {
    bnc_client c;
    bnc_pair p;
    bnc_member members[PEOPLE];
    bn_pair_detail d;
    struct bn_accept_info accepts[PEOPLE];
    struct bn_key_wrap wraps[WRAPS_MAX];
    uint8_t in[PEOPLE]; /* a member now (the script's own account) */
    uint32_t epoch;
    uint8_t head[BN_HASH_BYTES];
} script;

static uint64_t id_of(int i)
{
    return (uint64_t)(i + 2);
}

static void init_keys(void)
{
    uint8_t sk[64], bsk[32];
    if (ready)
        return;
    if (sodium_init() < 0)
        abort();
    for (int i = 0; i < PEOPLE; i++) {
        crypto_sign_keypair(sign_pk[i], sk);
        crypto_box_keypair(box_pk[i], bsk);
    }
    ready = 1;
}

/* log appends the entry of req by author (unsigned: not checked here). */
static void log_req(script *s, int author, const bn_msg *req)
{
    bn_log_entry e;
    if (bn_log_entry_make(&e, req, s->p.nlog + 1, s->head, id_of(author),
                          1700000000) != 0)
        return;
    bn_log_entry_hash(s->head, PAIR, &e);
    bnc__log_keep(&s->p, &e, 1);
}

/* shown: the index of person i in the served list, or -1. */
static int shown(const script *s, int i)
{
    for (size_t k = 0; k < s->p.nmembers; k++)
        if (s->members[k].account_id == id_of(i))
            return (int)k;
    return -1;
}

static void show(script *s, int i, uint8_t role, uint32_t from)
{
    bnc_member *m;
    if (shown(s, i) >= 0 || s->p.nmembers == PEOPLE)
        return;
    m = &s->members[s->p.nmembers++];
    memset(m, 0, sizeof *m);
    m->account_id = id_of(i);
    m->role = role;
    memcpy(m->sign_pk, sign_pk[i], 32);
    memcpy(m->box_pk, box_pk[i], 32);
    m->from_epoch = from;
}

/* wrap_for: the served wraps of epoch for every person set in `who`
 * (increasing id), made by author; returns how many. */
static uint32_t wrap_for(script *s, int author, uint32_t epoch,
                         const uint8_t who[PEOPLE], struct bn_key_wrap **first)
{
    uint32_t n = 0;
    *first = &s->wraps[s->d.wraps.len];
    for (int i = 0; i < PEOPLE && s->d.wraps.len < WRAPS_MAX; i++) {
        struct bn_key_wrap *w;
        if (!who[i])
            continue;
        w = &s->wraps[s->d.wraps.len++];
        memset(w, 0, sizeof *w);
        w->epoch = epoch;
        w->member_id = id_of(i);
        w->wrapper_id = id_of(author);
        w->key_id[0] = (uint8_t)epoch; /* one id per epoch */
        w->wrap[0] = (uint8_t)i;
        n++;
    }
    return n;
}

static void step(script *s, const uint8_t *b)
{
    int author = b[1] % PEOPLE, other = b[2] % PEOPLE;
    int k = shown(s, other);
    bn_msg req;
    uint8_t who[PEOPLE];
    struct bn_key_wrap *w;

    switch (b[0] % 12) {
    case 0: { /* an acceptance of the list as the server shows it */
        struct bn_accept_info *a;
        if (s->d.accepts.len == PEOPLE)
            return;
        a = &s->accepts[s->d.accepts.len++];
        memset(a, 0, sizeof *a);
        a->account_id = id_of(author);
        a->date = 20000;
        bnc__members_hash(&s->p, a->members_hash);
        bn_msg_init(&req, BN_MSG_PAIR_ACCEPT, 0);
        req.u.pair_accept.pair_id = PAIR;
        req.u.pair_accept.date = a->date;
        memcpy(req.u.pair_accept.members_hash, a->members_hash, 32);
        log_req(s, author, &req);
        return;
    }
    case 1: /* a key put, for the current members (or others: b[3]) */
    case 2:
        for (int i = 0; i < PEOPLE; i++)
            who[i] = (uint8_t)(s->in[i] ^ ((b[3] >> i) & (b[0] > 200)));
        s->epoch += b[0] % 12 == 2 || s->epoch == 0;
        bn_msg_init(&req, BN_MSG_KEY_PUT, 0);
        req.u.key_put.pair_id = PAIR;
        req.u.key_put.epoch = s->epoch;
        req.u.key_put.wraps.len = wrap_for(s, author, s->epoch, who, &w);
        req.u.key_put.wraps.v = w;
        log_req(s, author, &req);
        s->p.info.epoch = s->epoch;
        return;
    case 3: /* an addition, with history when b[3] is odd */
    case 4: {
        uint8_t role = b[0] % 12 == 3 ? BN_ROLE_MENTOR : BN_ROLE_MENTEE;
        int history = b[3] & 1;
        uint32_t n = 0;
        show(s, other, role, history ? 1 : s->epoch + 1);
        struct bn_key_wrap *start = &s->wraps[s->d.wraps.len];
        memset(who, 0, sizeof who);
        who[other] = 1;
        for (uint32_t e = 1; history && e <= s->epoch; e++)
            n += wrap_for(s, author, e, who, &w);
        for (int i = 0; i < PEOPLE; i++)
            who[i] = s->in[i] || i == other;
        s->epoch++;
        n += wrap_for(s, author, s->epoch, who, &w);
        s->in[other] = 1;
        bn_msg_init(&req, BN_MSG_MEMBER_ADD, 0);
        req.u.member_add.pair_id = PAIR;
        req.u.member_add.account_id = id_of(other);
        req.u.member_add.role = role;
        memcpy(req.u.member_add.sign_pk, sign_pk[other], 32);
        memcpy(req.u.member_add.box_pk, box_pk[other], 32);
        req.u.member_add.epoch = s->epoch;
        req.u.member_add.history = (uint8_t)history;
        req.u.member_add.wraps.v = start;
        req.u.member_add.wraps.len = n;
        log_req(s, author, &req);
        s->p.info.epoch = s->epoch;
        return;
    }
    case 5: /* a removal */
        for (int i = 0; i < PEOPLE; i++)
            who[i] = s->in[i] && i != other;
        s->epoch++;
        bn_msg_init(&req, BN_MSG_MEMBER_REMOVE, 0);
        req.u.member_remove.pair_id = PAIR;
        req.u.member_remove.account_id = id_of(other);
        req.u.member_remove.epoch = s->epoch;
        req.u.member_remove.wraps.len = wrap_for(s, author, s->epoch, who, &w);
        req.u.member_remove.wraps.v = w;
        log_req(s, author, &req);
        s->in[other] = 0;
        if (k >= 0)
            s->members[k].to_epoch = s->epoch;
        s->p.info.epoch = s->epoch;
        return;
    case 6: /* a session, by anyone */
        bn_msg_init(&req, BN_MSG_SESSION_ADD, 0);
        req.u.session_add.pair_id = PAIR;
        req.u.session_add.date = 20000;
        req.u.session_add.status = BN_SESSION_PLANNED;
        log_req(s, author, &req);
        return;
    case 7: /* the server lies about a member's epochs or side */
        if (k >= 0) {
            s->members[k].from_epoch ^= b[3] & 3;
            s->members[k].to_epoch ^= (b[3] >> 2) & 3;
            s->members[k].role ^= (b[3] >> 4) & 1;
        }
        return;
    case 8: /* ... or keys */
        if (k >= 0)
            s->members[k].box_pk[b[3] % 32] ^= 1;
        return;
    case 9: /* a wrap dropped or given to someone else */
        if (s->d.wraps.len > 0) {
            uint32_t i = b[3] % s->d.wraps.len;
            if (b[0] & 0x80)
                s->wraps[i] = s->wraps[--s->d.wraps.len];
            else
                s->wraps[i].member_id = id_of(other);
        }
        return;
    case 10: /* a member dropped from the list */
        if (k >= 0)
            s->members[k] = s->members[--s->p.nmembers];
        return;
    default: /* the epoch moved */
        s->p.info.epoch += (b[3] & 1) ? 1u : (uint32_t)-1;
        return;
    }
}

/* check: what an accepted replay must mean. Once an entry keyed the
 * pair's epoch, exactly its current members hold a wrap of it; every
 * member besides the referents was added by a referent's entry. */
static void check(const script *s)
{
    const bnc_pair *p = &s->p;
    int keyed = 0;

    for (size_t e = 0; e < p->nlog; e++)
        keyed |= p->log[e].sub == p->info.epoch &&
                 (p->log[e].op == BN_MSG_KEY_PUT ||
                  p->log[e].op == BN_MSG_MEMBER_ADD ||
                  p->log[e].op == BN_MSG_MEMBER_REMOVE);
    for (size_t k = 0; k < p->nmembers; k++) {
        const bnc_member *m = &p->members[k];
        uint64_t by = 0, seq = 0;
        int holds = 0;
        for (uint32_t i = 0; i < s->d.wraps.len; i++)
            holds |= s->wraps[i].epoch == p->info.epoch &&
                     s->wraps[i].member_id == m->account_id;
        if (keyed && holds != (m->to_epoch == 0))
            abort();
        if (m->account_id == p->info.mentor_id ||
            m->account_id == p->info.mentee_id)
            continue;
        if (bnc_pair_member_added(p, m->account_id, &by, &seq) != 0 ||
            (by != p->info.mentor_id && by != p->info.mentee_id))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    script *s;

    init_keys();
    if (size < 2)
        return 0;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return 0;
    s->p.members = s->members;
    s->d.wraps.v = s->wraps;
    s->d.accepts.v = s->accepts;
    s->p.info.id = PAIR;
    s->p.info.status = BN_PAIR_PENDING;
    s->p.info.epoch = 1;
    s->epoch = 0;
    int a = data[0] % PEOPLE, b = data[1] % PEOPLE;
    s->p.info.mentor_id = id_of(a);
    s->p.info.mentee_id = id_of(b);
    show(s, a, BN_ROLE_MENTOR, 1);
    show(s, b, BN_ROLE_MENTEE, 1);
    s->in[a] = s->in[b] = 1;
    for (size_t i = 2; i + 4 <= size && s->p.nlog < 64; i += 4)
        step(s, data + i);
    if (s->epoch == 0)
        s->epoch = 1;
    s->p.info.accepted = 0;
    for (uint32_t i = 0; i < s->d.accepts.len; i++)
        s->p.info.accepted |=
            s->accepts[i].account_id == s->p.info.mentor_id   ? 1
            : s->accepts[i].account_id == s->p.info.mentee_id ? 2
                                                              : 0;
    s->p.info.status =
        s->p.info.accepted == 3 ? BN_PAIR_ACTIVE : BN_PAIR_PENDING;
    s->c.me.id = s->p.info.mentor_id;
    if (bnc__ledger_pair(&s->c, &s->p, &s->d) == 0)
        check(s);
    free(s->p.log);
    free(s);
    return 0;
}
