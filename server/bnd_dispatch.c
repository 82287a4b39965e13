/*
 * bnd_dispatch.c: every request goes through here: decoded, checked
 * against the one command table (login, rate, role, the command's own
 * check), then run on the loop thread (reads) or handed to the writer
 * (writes), and answered; bnd_dispatch.h states the order of the checks.
 */
#include "bnd_dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <msgpack.h>

#include "bn_version.h"
#include "bnd_handlers.h"
#include "bnd_log.h"
#include "bnd_rate.h"
#include "bnd_writer.h"

/* ---- the table ------------------------------------------------------------
 */

#define F_WRITE 1u    /* applied by the writer thread, answered after commit */
#define F_PRELOGIN 2u /* allowed (only) before login */
#define F_AUTH 4u     /* a failure closes the connection */
#define F_CHUNK 8u    /* a document chunk: BND_RATE_CHUNK of the rate */
#define F_LATER 16u   /* a read served off the loop, answered when done */
#define F_SLOW 32u    /* F_LATER that may take seconds: one at a time */

#define R_ADMIN (1u << BN_ROLE_ADMIN)
#define R_MENTOR (1u << BN_ROLE_MENTOR)
#define R_MENTEE (1u << BN_ROLE_MENTEE)
#define R_AUDITOR (1u << BN_ROLE_AUDITOR)
#define R_MEMBER (R_MENTOR | R_MENTEE)
#define R_ANY (R_ADMIN | R_MEMBER | R_AUDITOR)

/* Where a request's pair id and log entry are in a bn_msg, found by the
 * compiler (bnd_dispatch_table_check compares them with the schema). */
#define PAIR(m) ((int)offsetof(bn_msg, u.m.pair_id))
#define ENTRY(m) ((int)offsetof(bn_msg, u.m.entry))
#define NONE (-1)

/*
 * Everything the dispatcher knows of a request: its type, the type of its
 * reply on success (the handler fills the fields, never the type), the
 * handler, a check on the loop thread before it, flags, the roles
 * allowed, and where its pair id (for the log) and its log entry (a
 * logged write: F_WRITE, pre-checked off the writer thread) are.
 */
typedef struct bnd_cmd {
    uint16_t type;
    uint16_t reply;
    bnd_handler_fn fn;
    bnd_check_fn check; /* loop thread, before the handler; may be NULL */
    unsigned flags;
    unsigned roles; /* bit (1 << role) for each role allowed */
    int pair_off;   /* offset of the u64 pair id in bn_msg, or NONE */
    int entry_off;  /* offset of the log entry (bn_bin) in bn_msg, or NONE */
} bnd_cmd;

#define M(t) BN_MSG_##t
/* Notes, objectives, documents, sessions and the log are R_MEMBER only:
 * an administrator never reaches them (BN_EDENIED). PAIR_ERASE is for an
 * administrator or a member of the pair; PAIR_STOP (the coordinator ends a
 * pair: no log entry, the administrator is not a member) for an
 * administrator alone, and so are PAIR_START (the coordinator sets a
 * pair's start) and ADMIN_SESSIONS (a pair's session dates and
 * attendance, never a note). The structure's charter signature, the
 * questionnaire's questions and its aggregates (FEEDBACK_GET) are for
 * administrators; answering it (never its aggregates) for members. A
 * live audit, statistics and
 * document reads are served off the loop (F_LATER): the loop goes on
 * serving other requests meanwhile. */
static const bnd_cmd cmds[] = {
    {M(JOIN), M(LOGGED_IN), bnd_h_join, bnd_check_join,
     F_WRITE | F_PRELOGIN | F_AUTH, 0, NONE, NONE},
    {M(LOGIN), M(LOGGED_IN), bnd_h_login, NULL, F_PRELOGIN | F_AUTH, 0, NONE,
     NONE},
    {M(WHOAMI), M(LOGGED_IN), bnd_h_whoami, NULL, 0, R_ANY, NONE, NONE},
    {M(ACCOUNT_GET), M(ACCOUNT), bnd_h_account_get, NULL, 0, R_MEMBER, NONE,
     NONE},
    {M(RECOVERY_PUT), M(OK), bnd_h_recovery_put, NULL, F_WRITE, R_ANY, NONE,
     NONE},
    {M(RECOVER), M(RECOVERED), bnd_h_recover, NULL,
     F_WRITE | F_PRELOGIN | F_AUTH, 0, NONE, NONE},
    {M(DEVICE_ADD), M(OK), bnd_h_device_add, NULL, F_WRITE, R_ANY, NONE, NONE},
    {M(DEVICE_LIST), M(DEVICES), bnd_h_device_list, NULL, 0, R_ANY, NONE, NONE},
    {M(DEVICE_REMOVE), M(OK), bnd_h_device_remove, NULL, F_WRITE, R_ANY, NONE,
     NONE},
    {M(LINK_PUT), M(LINK), bnd_h_link_put, NULL, 0, R_ANY, NONE, NONE},
    {M(LINK_JOIN), M(LINK), bnd_h_link_join, NULL, F_PRELOGIN | F_AUTH, 0, NONE,
     NONE},
    {M(PROGRAMME_CREATE), M(PROGRAMME), bnd_h_programme_create, NULL, F_WRITE,
     R_ADMIN, NONE, NONE},
    {M(PROGRAMME_LIST), M(PROGRAMMES), bnd_h_programme_list, NULL, 0, R_ADMIN,
     NONE, NONE},
    {M(PROGRAMME_GET), M(PROGRAMME), bnd_h_programme_get, NULL, 0,
     R_ADMIN | R_MEMBER, NONE, NONE},
    {M(INVITE_CREATE), M(INVITE), bnd_h_invite_create, NULL, F_WRITE, R_ADMIN,
     NONE, NONE},
    {M(ACCOUNT_LIST), M(ACCOUNTS), bnd_h_account_list, NULL, 0, R_ADMIN, NONE,
     NONE},
    {M(PAIR_CREATE), M(PAIR), bnd_h_pair_create, NULL, F_WRITE, R_ADMIN, NONE,
     NONE},
    {M(PAIR_ERASE), M(PAIR_ERASURE), bnd_h_pair_erase, NULL, F_WRITE,
     R_ADMIN | R_MEMBER, PAIR(pair_erase), ENTRY(pair_erase)},
    {M(RETENTION_SET), M(OK), bnd_h_retention_set, NULL, F_WRITE, R_ADMIN, NONE,
     NONE},
    {M(STRUCTURE_SIGN), M(OK), bnd_h_charter_sign, NULL, F_WRITE, R_ADMIN, NONE,
     NONE},
    {M(PROGRAMME_SET), M(PROGRAMME), bnd_h_programme_set, NULL, F_WRITE,
     R_ADMIN, NONE, NONE},
    {M(PAIR_LIST), M(PAIRS), bnd_h_pair_list, NULL, 0, R_ADMIN | R_MEMBER, NONE,
     NONE},
    {M(PAIR_GET), M(PAIR_DETAIL), bnd_h_pair_get, NULL, 0, R_MEMBER,
     PAIR(pair_get), NONE},
    {M(PAIR_ACCEPT), M(PAIR), bnd_h_pair_accept, NULL, F_WRITE, R_MEMBER,
     PAIR(pair_accept), ENTRY(pair_accept)},
    {M(PAIR_END), M(PAIR), bnd_h_pair_end, NULL, F_WRITE, R_MEMBER,
     PAIR(pair_end), ENTRY(pair_end)},
    {M(KEY_PUT), M(OK), bnd_h_key_put, NULL, F_WRITE, R_MEMBER, PAIR(key_put),
     ENTRY(key_put)},
    {M(MEMBER_ADD), M(OK), bnd_h_member_add, NULL, F_WRITE, R_MEMBER,
     PAIR(member_add), ENTRY(member_add)},
    {M(PAIR_STOP), M(PAIR), bnd_h_pair_stop, NULL, F_WRITE, R_ADMIN,
     PAIR(pair_stop), NONE},
    {M(PAIR_START), M(PAIR), bnd_h_pair_start, NULL, F_WRITE, R_ADMIN,
     PAIR(pair_start), NONE},
    {M(ADMIN_SESSIONS), M(SESSIONS), bnd_h_admin_sessions, NULL, 0, R_ADMIN,
     PAIR(admin_sessions), NONE},
    {M(PAIR_CHARTER), M(STRUCTURE_SIG), bnd_h_pair_charter, NULL, 0, R_MEMBER,
     PAIR(pair_charter), NONE},
    {M(FEEDBACK_GET), M(FEEDBACK), bnd_h_feedback_get, NULL, 0, R_ADMIN, NONE,
     NONE},
    {M(NOTE_PUT), M(NOTE_ACK), bnd_h_note_put, NULL, F_WRITE, R_MEMBER,
     PAIR(note_put), ENTRY(note_put)},
    {M(NOTE_LIST), M(NOTES), bnd_h_note_list, NULL, 0, R_MEMBER,
     PAIR(note_list), NONE},
    {M(NOTE_GET), M(NOTE), bnd_h_note_get, NULL, 0, R_MEMBER, PAIR(note_get),
     NONE},
    {M(MEMBER_REMOVE), M(OK), bnd_h_member_remove, NULL, F_WRITE, R_MEMBER,
     PAIR(member_remove), ENTRY(member_remove)},
    {M(SIDE_KEY_PUT), M(OK), bnd_h_side_key_put, NULL, F_WRITE, R_MEMBER,
     PAIR(side_key_put), ENTRY(side_key_put)},
    {M(ACCOUNT_ERASE), M(ACCOUNT_ERASED), bnd_h_account_erase, NULL, F_WRITE,
     R_ANY, NONE, NONE},
    {M(SESSION_ADD), M(SESSION), bnd_h_session_add, NULL, F_WRITE, R_MEMBER,
     PAIR(session_add), ENTRY(session_add)},
    {M(SESSION_UPDATE), M(SESSION), bnd_h_session_update, NULL, F_WRITE,
     R_MEMBER, PAIR(session_update), ENTRY(session_update)},
    {M(SESSION_LIST), M(SESSIONS), bnd_h_session_list, NULL, 0, R_MEMBER,
     PAIR(session_list), NONE},
    {M(SESSION_MODE_SET), M(SESSION), bnd_h_session_mode_set, NULL, F_WRITE,
     R_MEMBER, PAIR(session_mode_set), ENTRY(session_mode_set)},
    {M(OBJECTIVE_ADD), M(OK), bnd_h_objective_add, NULL, F_WRITE, R_MEMBER,
     PAIR(objective_add), ENTRY(objective_add)},
    {M(OBJECTIVE_REACH), M(OK), bnd_h_objective_reach, NULL, F_WRITE, R_MEMBER,
     PAIR(objective_reach), ENTRY(objective_reach)},
    {M(OBJECTIVE_LIST), M(OBJECTIVES), bnd_h_objective_list, NULL, 0, R_MEMBER,
     PAIR(objective_list), NONE},
    {M(OBJECTIVE_EDIT), M(OK), bnd_h_objective_edit, NULL, F_WRITE, R_MEMBER,
     PAIR(objective_edit), ENTRY(objective_edit)},
    {M(OBJECTIVE_ABANDON), M(OK), bnd_h_objective_abandon, NULL, F_WRITE,
     R_MEMBER, PAIR(objective_abandon), ENTRY(objective_abandon)},
    {M(OBJECTIVE_REOPEN), M(OK), bnd_h_objective_reopen, NULL, F_WRITE,
     R_MEMBER, PAIR(objective_reopen), ENTRY(objective_reopen)},
    {M(DOC_BEGIN), M(DOC_STATUS), bnd_h_doc_begin, NULL, F_WRITE, R_MEMBER,
     PAIR(doc_begin), NONE},
    {M(DOC_CHUNK), M(DOC_STATUS), bnd_h_doc_chunk, NULL, F_WRITE | F_CHUNK,
     R_MEMBER, PAIR(doc_chunk), ENTRY(doc_chunk)},
    {M(DOC_LIST), M(DOCS), bnd_h_doc_list, NULL, 0, R_MEMBER, PAIR(doc_list),
     NONE},
    {M(DOC_READ), M(DOC_DATA), bnd_h_doc_read, NULL, F_CHUNK | F_LATER,
     R_MEMBER, PAIR(doc_read), NONE},
    {M(LOG_GET), M(LOG), bnd_h_log_get, NULL, 0, R_MEMBER, PAIR(log_get), NONE},
    {M(STATS_GET), M(STATS), bnd_h_stats_get, NULL, F_LATER, R_ADMIN, NONE,
     NONE},
    {M(STATS_PAIRS_GET), M(STATS_PAIRS), bnd_h_stats_pairs_get, NULL, F_LATER,
     R_ADMIN, NONE, NONE},
    {M(QUESTIONNAIRE_SET), M(OK), bnd_h_questionnaire_set, NULL, F_WRITE,
     R_ADMIN, NONE, NONE},
    {M(QUESTIONNAIRE_GET), M(QUESTIONNAIRE), bnd_h_questionnaire_get, NULL, 0,
     R_MEMBER, PAIR(questionnaire_get), NONE},
    {M(QUESTIONNAIRE_ANSWER), M(OK), bnd_h_questionnaire_answer, NULL, F_WRITE,
     R_MEMBER, PAIR(questionnaire_answer), NONE},
    {M(STATS_MEMBERS_GET), M(STATS_MEMBERS), bnd_h_stats_members_get, NULL,
     F_LATER, R_ADMIN, NONE, NONE},
    {M(AUDIT_GET), M(AUDIT_REPORT), bnd_h_audit_get, bnd_check_audit,
     F_LATER | F_SLOW, R_AUDITOR, NONE, NONE},
};
#undef M

#define NCMDS (sizeof cmds / sizeof cmds[0])

static const bnd_cmd *find_cmd(uint16_t type)
{
    size_t lo = 0, hi = NCMDS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmds[mid].type == type)
            return &cmds[mid];
        if (cmds[mid].type < type)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The handlers' maintenance passes, run by the server now and then. */
static const bnd_maint maints[] = {
    {"doc.gc", bnd_doc_gc},
};

const bnd_maint *bnd_dispatch_maint(size_t i)
{
    return i < sizeof maints / sizeof maints[0] ? &maints[i] : NULL;
}

/* The offset in bn_msg of message type's field name of kind, as the wire
 * schema describes it, or NONE (the table check only: by name). */
static int schema_off(uint16_t type, const char *name, int kind)
{
    const bn_struct_desc *d = bn_msg_desc(type);
    for (size_t i = 0; d != NULL && i < d->nfields; i++)
        if (d->fields[i].kind == kind && strcmp(d->fields[i].name, name) == 0)
            return (int)(offsetof(bn_msg, u) + d->fields[i].offset);
    return NONE;
}

int bnd_dispatch_table_check(void)
{
    for (size_t i = 0; i < NCMDS; i++) {
        const bnd_cmd *c = &cmds[i];
        if (i > 0 && cmds[i - 1].type >= c->type)
            return BN_EINTERNAL;
        if (!bn_msg_known(c->type) || !bn_msg_known(c->reply) || c->fn == NULL)
            return BN_EINTERNAL;
        if (((c->flags & F_PRELOGIN) != 0) != (c->roles == 0))
            return BN_EINTERNAL;
        /* Off the loop: a read that needs no session (not LOGIN). */
        if ((c->flags & F_LATER) &&
            (c->flags & (F_WRITE | F_PRELOGIN | F_AUTH)))
            return BN_EINTERNAL;
        if (c->pair_off != schema_off(c->type, "pair_id", BN_FK_U64) ||
            c->entry_off != schema_off(c->type, "entry", BN_FK_BIN))
            return BN_EINTERNAL;
        if ((c->flags & F_SLOW) && !(c->flags & F_LATER))
            return BN_EINTERNAL;
        if (c->entry_off != NONE && !(c->flags & F_WRITE))
            return BN_EINTERNAL;
    }
    return 0;
}

/* The pair id req names (cmd may be NULL: 0), for the log. */
static uint64_t cmd_pair(const bnd_cmd *cmd, const bn_msg *req)
{
    uint64_t v;
    if (cmd == NULL || cmd->pair_off == NONE)
        return 0;
    memcpy(&v, (const char *)req + cmd->pair_off, sizeof v);
    return v;
}

/* req's log entry (empty when cmd is not a logged write). */
static bn_bin cmd_entry(const bnd_cmd *cmd, const bn_msg *req)
{
    bn_bin e = {NULL, 0};
    if (cmd->entry_off != NONE)
        memcpy(&e, (const char *)req + cmd->entry_off, sizeof e);
    return e;
}

/* ---- helpers --------------------------------------------------------------
 */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Encodes ERROR{code, message} for request id into out; message is the
 * code's bn_strerror unless the handler gave one (msg not NULL). */
static void encode_error(bn_buf *out, uint64_t id, int code, const char *msg)
{
    bn_msg m;

    if (msg == NULL)
        msg = bn_strerror(code);
    bn_buf_reset(out);
    bn_msg_init(&m, BN_MSG_ERROR, id);
    m.u.error.code = code;
    m.u.error.message.ptr = msg;
    m.u.error.message.len = (uint32_t)strnlen(msg, BN_ERRMSG_MAX);
    if (bn_msg_encode(out, &m) != 0)
        bn_buf_reset(out);
}

/* Encodes a reply; a reply too big for one frame is BN_ETOOBIG. */
static int encode_reply(bn_buf *out, const bn_msg *rep)
{
    bn_buf_reset(out);
    int rc = bn_msg_encode(out, rep);
    if (rc == 0 && out->len > BN_FRAME_MAX - BN_CHANNEL_OVERHEAD)
        rc = BN_ETOOBIG;
    if (rc != 0) {
        bnd_log(BND_LOG_ERROR, "reply.encode", "msg=%s code=%s",
                bn_msg_name(rep->type), bn_err_name(rc));
        return rc == BN_ENOMEM || rc == BN_ETOOBIG ? rc : BN_EINTERNAL;
    }
    return 0;
}

/*
 * Reads type and request id from the head of a message that did not
 * decode ([type, id, ...] as a msgpack array), so that the ERROR reply can
 * echo the id. Gives 0 for what cannot be read.
 */
static void peek_header(const uint8_t *p, size_t len, uint16_t *type,
                        uint64_t *id)
{
    size_t off = 0;
    uint64_t v[2] = {0, 0};

    *type = 0;
    *id = 0;
    if (len < 1)
        return;
    if ((p[0] & 0xf0) == 0x90)
        off = 1;
    else if (p[0] == 0xdc)
        off = 3;
    else if (p[0] == 0xdd)
        off = 5;
    else
        return;
    for (int i = 0; i < 2; i++) {
        if (off >= len)
            return;
        uint8_t b = p[off];
        size_t n = 0;
        if (b <= 0x7f) {
            v[i] = b;
            off += 1;
            continue;
        }
        n = b == 0xcc ? 1 : b == 0xcd ? 2 : b == 0xce ? 4 : b == 0xcf ? 8 : 0;
        if (n == 0 || off + 1 + n > len)
            return;
        v[i] = 0;
        for (size_t k = 0; k < n; k++)
            v[i] = v[i] << 8 | p[off + 1 + k];
        off += 1 + n;
    }
    *type = v[0] <= UINT16_MAX ? (uint16_t)v[0] : 0;
    *id = v[1];
}

/*
 * peek_proto reads the protocol number and release name that an older
 * client's LOGIN or JOIN carries where protocol 2 put them (LOGIN's
 * fields 3 and 4, JOIN's 6 and 7): 1 when there is none (releases
 * before protocol 2 sent neither).
 */
static uint32_t peek_proto(const uint8_t *p, size_t len, uint16_t type,
                           char rel[BN_RELEASE_MAX + 1])
{
    msgpack_unpacked u;
    uint32_t proto = 1;
    size_t at = type == BN_MSG_LOGIN ? 2 + 2 : 2 + 5;

    rel[0] = '\0';
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, (const char *)p, len, NULL) ==
            MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_ARRAY && u.data.via.array.size > at + 1) {
        const msgpack_object *v = u.data.via.array.ptr;
        if (v[at].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
            v[at].via.u64 >= 2 && v[at].via.u64 < BN_PROTO_VERSION)
            proto = (uint32_t)v[at].via.u64;
        if (proto != 1 && v[at + 1].type == MSGPACK_OBJECT_STR &&
            v[at + 1].via.str.size <= BN_RELEASE_MAX) {
            size_t n = 0;
            for (uint32_t i = 0; i < v[at + 1].via.str.size; i++) {
                char ch = v[at + 1].via.str.ptr[i];
                if (ch > ' ' && ch < 0x7f)
                    rel[n++] = ch;
            }
            rel[n] = '\0';
        }
    }
    msgpack_unpacked_destroy(&u);
    return proto;
}

static void log_request(const bnd_session *s, uint16_t type, uint64_t pair,
                        size_t in, size_t out, int rc, uint64_t us)
{
    int level = rc == 0 ? BND_LOG_INFO : BND_LOG_WARN;
    if (!bnd_log_enabled(level))
        return;
    bnd_log(level, "request",
            "conn=%llu account=%llu msg=%s pair=%llu bytes=%zu "
            "reply_bytes=%zu result=%s us=%llu",
            (unsigned long long)s->conn_id,
            (unsigned long long)s->actor.account_id, bn_msg_name(type),
            (unsigned long long)pair, in, out, bn_err_name(rc),
            (unsigned long long)us);
}

/* Replies with an error right away and logs it. */
/* reply_error_msg answers ERROR{code, msg} (msg NULL: the code's own
 * message), logs the request and sends the reply with flags. */
static void reply_error_msg(bnd_server *srv, bnd_session *s, uint16_t type,
                            uint64_t id, uint64_t pair, size_t in, int code,
                            const char *msg, unsigned flags, uint64_t t0)
{
    encode_error(&srv->enc, id, code, msg);
    log_request(s, type, pair, in, srv->enc.len, code, now_us() - t0);
    if (!s->closed)
        s->reply(s, srv->enc.data, srv->enc.len, flags);
}

static void reply_error(bnd_server *srv, bnd_session *s, uint16_t type,
                        uint64_t id, uint64_t pair, size_t in, int code,
                        unsigned flags, uint64_t t0)
{
    reply_error_msg(srv, s, type, id, pair, in, code, NULL, flags, t0);
}

/*
 * proto_mismatch tells whether a LOGIN or JOIN comes from a client of
 * another protocol (proto 1: a release that did not send the number) and
 * writes, in msg, a sentence naming both sides and which to upgrade.
 */
static int proto_mismatch(uint32_t proto, bn_str release, char *msg,
                          size_t size)
{
    static const char old[] = "0.1 or older";
    const char *rel = release.len > 0 ? release.ptr : old;
    int rlen = release.len > 0 ? (int)release.len : (int)sizeof old - 1;

    if (proto == BN_PROTO_VERSION)
        return 0;
    snprintf(msg, size,
             "this client speaks protocol %u (binome %.*s), this server "
             "protocol %u (binomed %s): upgrade %s",
             (unsigned)proto, rlen, rel, (unsigned)BN_PROTO_VERSION, BN_VERSION,
             proto < BN_PROTO_VERSION ? "binome, the client"
                                      : "binomed, the server");
    return 1;
}

static const char *role_name(uint8_t role)
{
    static const char *const names[] = {"none", "admin", "mentor", "mentee",
                                        "auditor"};
    return role <= BN_ROLE_MAX ? names[role] : "unknown";
}

static void set_login(bnd_session *s, const bnd_actor *a)
{
    s->actor = *a;
    s->logged_in = 1;
    s->have_sign_pk = 0;
    bnd_log(BND_LOG_INFO, "login", "conn=%llu account=%llu role=%s",
            (unsigned long long)s->conn_id, (unsigned long long)a->account_id,
            role_name(a->role));
    if (s->on_login != NULL)
        s->on_login(s);
}

/* ---- requests in flight ---------------------------------------------------
 */

/* What a request answered later (by the writer thread, or off the loop)
 * carries with it: who asked, the request (owned), its reply once encoded
 * and what its log line says. */
typedef struct inflight {
    bnd_server *srv;
    bnd_session *s;
    const bnd_cmd *cmd;
    bn_msg req;
    bnd_actor actor;
    bn_buf out; /* the encoded reply */
    int rc;
    size_t in_bytes;
    uint64_t t0, pair;
} inflight;

/* Loop thread: f takes req (moved: req is left empty) and a reference on
 * s, whose requests in flight count one more. */
static void inflight_take(inflight *f, bnd_server *srv, bnd_session *s,
                          const bnd_cmd *cmd, bn_msg *req, size_t in,
                          uint64_t pair, uint64_t t0)
{
    f->srv = srv;
    f->s = s;
    f->cmd = cmd;
    f->req = *req;
    memset(req, 0, sizeof *req);
    f->actor = s->actor;
    f->in_bytes = in;
    f->pair = pair;
    f->t0 = t0;
    bn_buf_init(&f->out);
    bnd_session_ref(s);
    s->inflight++;
}

/* Loop thread: sends f's reply (closing the connection when it could not
 * even be encoded), logs the request, frees what f owns and drops its
 * reference on the session. The job that holds f is the caller's. */
static void inflight_answer(inflight *f, unsigned flags)
{
    bnd_session *s = f->s;

    s->inflight--;
    log_request(s, f->req.type, f->pair, f->in_bytes, f->out.len, f->rc,
                now_us() - f->t0);
    if (!s->closed) {
        if (f->out.len == 0)
            flags |= BND_REPLY_CLOSE;
        s->reply(s, f->out.data, f->out.len, flags);
    }
    bn_msg_free(&f->req);
    bn_buf_free(&f->out);
    bnd_session_unref(s);
}

/* ---- writes: jobs for the writer thread ---------------------------------- */

typedef struct req_job {
    bnd_job job;
    inflight f;
    bnd_actor login;
    int did_login;
    /* the log entry's pre-check, on libuv's thread pool */
    uv_work_t work;
    bnd_logcheck lc;
    int ready;             /* may go to the writer */
    struct req_job *snext; /* the session's pre-check queue */
} req_job;

/* Writer thread: runs the handler in txn and encodes the reply (records
 * decoded in txn are copies, but encoding here keeps one path). */
static int job_apply(bnd_job *j, MDB_txn *txn)
{
    req_job *rj = (req_job *)j;
    bnd_ctx cx;
    bn_msg rep;
    int rc;

    rj->did_login = 0;
    bnd_ctx_init(&cx, rj->f.srv, &rj->f.actor, &rep, rj->f.req.id);
    rep.type = rj->f.cmd->reply;
    cx.txn = txn;
    cx.logck = &rj->lc;
    rc = rj->f.cmd->fn(&cx, &rj->f.req);
    if (rc == 0)
        rc = encode_reply(&rj->f.out, &rep);
    if (rc == 0 && cx.did_login) {
        rj->login = cx.login;
        rj->did_login = 1;
    }
    rj->f.rc = rc;
    if (rc != 0) /* BN_EFULL too: a pass after the map grew re-encodes */
        encode_error(&rj->f.out, rj->f.req.id, rc, cx.errmsg);
    bnd_ctx_free(&cx); /* after: a message may live in its memory */
    return rc;
}

static void job_failed(bnd_job *j, int rc)
{
    req_job *rj = (req_job *)j;
    rj->f.rc = rc;
    rj->did_login = 0;
    encode_error(&rj->f.out, rj->f.req.id, rc, NULL);
}

/* Loop thread: the batch is durable (or failed): answer. */
static void job_complete(bnd_job *j)
{
    req_job *rj = (req_job *)j;
    bnd_session *s = rj->f.s;
    unsigned flags = 0;

    if (rj->f.cmd->flags & F_AUTH) {
        s->auth_pending = 0;
        if (rj->f.rc != 0)
            flags |= BND_REPLY_CLOSE;
    }
    /* a removed device's connections close once the removal is durable
     * (read before the answer frees the request) */
    uint32_t removed = rj->f.rc == 0 && rj->f.cmd->type == BN_MSG_DEVICE_REMOVE
                           ? rj->f.req.u.device_remove.device
                           : 0;
    bnd_server *srv = rj->f.srv;
    uint64_t account = rj->f.actor.account_id;

    if (rj->f.rc == 0 && rj->did_login)
        set_login(s, &rj->login);
    /* An erased account's connections close: the one that asked after
     * its answer, the others now (issue 15). */
    uint64_t erased = 0, conn = s->conn_id;
    if (rj->f.rc == 0 && rj->f.cmd->type == BN_MSG_ACCOUNT_ERASE) {
        erased = rj->f.req.u.account_erase.account_id;
        if (erased == 0 || erased == rj->f.actor.account_id) {
            erased = rj->f.actor.account_id;
            flags |= BND_REPLY_CLOSE;
        }
    }
    inflight_answer(&rj->f, flags);
    if (removed != 0 && srv->device_removed != NULL)
        srv->device_removed(srv, account, removed);
    if (erased != 0 && srv->close_account != NULL)
        srv->close_account(srv, erased, conn);
    free(rj);
}

/*
 * A logged write's entry is checked (decode, signature, body hash: what
 * depends only on the request and the caller's key) before the writer
 * takes it, on libuv's thread pool, so that the one writer thread, which
 * every write waits for, keeps only the comparison with the head and the
 * puts (bnd_pairlog_append). A session's writes reach the writer in the
 * order they arrived: each waits in the session's queue until it and
 * every write before it are ready (a pipelined chain of entries would go
 * stale otherwise).
 */

/* Loop thread: hands the session's ready writes to the writer, in order. */
static void pre_drain(bnd_server *srv, bnd_session *s)
{
    req_job *rj;
    while ((rj = s->pre_head) != NULL && rj->ready) {
        s->pre_head = rj->snext;
        if (s->pre_head == NULL)
            s->pre_tail = NULL;
        rj->snext = NULL;
        bnd_writer_submit_held(srv->writer, &rj->job);
    }
}

/* Thread pool: req and the key are only read, nothing else is touched. */
static void pre_work(uv_work_t *w)
{
    req_job *rj = w->data;
    bnd_pairlog_check(&rj->lc, &rj->f.req, rj->f.pair, rj->f.actor.account_id,
                      rj->f.s->sign_pk);
}

static void job_failed(bnd_job *j, int rc);
static void job_complete(bnd_job *j);

static void pre_done(uv_work_t *w, int status)
{
    req_job *rj = w->data;
    bnd_session *s = rj->f.s;

    if (status != 0) /* cancelled: the transaction checks everything */
        memset(&rj->lc, 0, sizeof rj->lc);
    rj->ready = 1;
    if (rj->f.srv->writer != NULL) {
        pre_drain(rj->f.srv, s);
        return;
    }
    /* The server closed without its shutdown (bnd_server_close): no writer
     * any more; answer what waits here. */
    while ((rj = s->pre_head) != NULL && rj->ready) {
        s->pre_head = rj->snext;
        if (s->pre_head == NULL)
            s->pre_tail = NULL;
        job_failed(&rj->job, BN_ECLOSED);
        job_complete(&rj->job);
    }
}

/* Loads the session's signing key once (loop thread): 0 or a code. */
static int session_sign_pk(bnd_server *srv, bnd_session *s)
{
    bnd_ctx cx;
    bn_msg rep;
    bn_rec_account a;
    int rc;

    if (s->have_sign_pk)
        return 0;
    bnd_ctx_init(&cx, srv, &s->actor, &rep, 0);
    rc = bnd_store_read_begin(srv->store, &cx.txn);
    if (rc == 0) {
        rc = bnd_get_account(&cx, s->actor.account_id, &a);
        bnd_store_read_end(srv->store, cx.txn);
    }
    if (rc == 0) {
        memcpy(s->sign_pk, a.sign_pk, sizeof s->sign_pk);
        s->have_sign_pk = 1;
    }
    bnd_ctx_free(&cx);
    return rc;
}

/* Queues rj for the writer, through the pre-check when it carries a log
 * entry (loop thread). */
static void submit_job(bnd_server *srv, bnd_session *s, req_job *rj)
{
    bnd_writer_hold(srv->writer);
    rj->ready = 1;
    if (s->logged_in && cmd_entry(rj->f.cmd, &rj->f.req).len != 0 &&
        session_sign_pk(srv, s) == 0) {
        rj->work.data = rj;
        rj->ready = 0;
        if (uv_queue_work(srv->loop, &rj->work, pre_work, pre_done) != 0)
            rj->ready = 1;
    }
    if (s->pre_tail == NULL)
        s->pre_head = rj;
    else
        ((req_job *)s->pre_tail)->snext = rj;
    s->pre_tail = rj;
    pre_drain(srv, s);
}

/* ---- reads served off the loop ------------------------------------------- */

/*
 * A request flagged F_LATER runs its handler on libuv's thread pool, in a
 * read transaction of its own (the store is opened MDB_NOTLS, and the
 * transaction begins and ends on that one thread, as the store's resize
 * lock wants). The handler reads only the server's configuration and
 * store. Its reply is encoded there, and sent from the loop thread when
 * every request served off the loop before it on the same session was
 * answered. A live audit is slow: at most LATER_SLOW_MAX run at once, the
 * others wait their turn, so that the pool keeps threads for the rest.
 */
#define LATER_SLOW_MAX 1u

typedef struct later_job {
    uv_work_t work;
    inflight f;
    int done;                /* the handler ran (or was cancelled) */
    int slow;                /* counts in srv->later_slow */
    struct later_job *snext; /* the session's queue, in arrival order */
    struct later_job *wnext; /* the server's queue of slow ones waiting */
} later_job;

/* Thread pool: the handler in its own read transaction, and the reply. */
static void later_work(uv_work_t *w)
{
    later_job *lj = w->data;
    bnd_ctx cx;
    bn_msg rep;
    int rc;

    bnd_ctx_init(&cx, lj->f.srv, &lj->f.actor, &rep, lj->f.req.id);
    rep.type = lj->f.cmd->reply;
    rc = bnd_store_read_begin(lj->f.srv->store, &cx.txn);
    if (rc == 0) {
        rc = lj->f.cmd->fn(&cx, &lj->f.req);
        if (rc == 0)
            rc = encode_reply(&lj->f.out, &rep);
        bnd_store_read_end(lj->f.srv->store, cx.txn);
    }
    if (rc != 0)
        encode_error(&lj->f.out, lj->f.req.id, rc, cx.errmsg);
    bnd_ctx_free(&cx);
    lj->f.rc = rc;
}

static void later_done(uv_work_t *w, int status);

/* Loop thread: hands lj to the thread pool (or, if the pool refuses,
 * runs it here). */
static void later_start(bnd_server *srv, later_job *lj)
{
    if (lj->slow)
        srv->later_slow++;
    lj->work.data = lj;
    if (uv_queue_work(srv->loop, &lj->work, later_work, later_done) != 0) {
        later_work(&lj->work);
        later_done(&lj->work, 0);
    }
}

/* Loop thread: sends lj's reply, frees it and drops its reference. */
static void later_answer(bnd_server *srv, later_job *lj)
{
    inflight_answer(&lj->f, 0);
    free(lj);
    srv->later_n--;
}

/* Loop thread: the handler is done; answer what is due on its session,
 * in order, start a waiting slow one, and tell the shutdown when none is
 * left. */
static void later_done(uv_work_t *w, int status)
{
    later_job *lj = w->data;
    bnd_server *srv = lj->f.srv;
    bnd_session *s = lj->f.s;

    if (status != 0) { /* cancelled before it ran */
        lj->f.rc = BN_ECLOSED;
        encode_error(&lj->f.out, lj->f.req.id, BN_ECLOSED, NULL);
    }
    lj->done = 1;
    if (lj->slow) {
        srv->later_slow--;
        later_job *next = srv->later_wait_head;
        if (next != NULL) {
            srv->later_wait_head = next->wnext;
            if (srv->later_wait_head == NULL)
                srv->later_wait_tail = NULL;
            later_start(srv, next);
        }
    }
    /* Each job in the queue holds a reference: s lives while one is left
     * after the one answered. */
    while ((lj = s->defer_head) != NULL && lj->done) {
        int last = lj->snext == NULL;
        s->defer_head = lj->snext;
        if (last)
            s->defer_tail = NULL;
        later_answer(srv, lj);
        if (last)
            break;
    }
    if (srv->later_n == 0 && srv->later_idle != NULL) {
        void (*cb)(void *) = srv->later_idle;
        srv->later_idle = NULL;
        cb(srv->later_idle_arg);
    }
}

/* Loop thread: queues req (owned: moved into the job) to be served off
 * the loop; answers BN_ENOMEM at once when it cannot. */
static void later_submit(bnd_server *srv, bnd_session *s, const bnd_cmd *cmd,
                         bn_msg *req, size_t in, uint64_t pair, uint64_t t0)
{
    later_job *lj = calloc(1, sizeof *lj);

    if (lj == NULL) {
        reply_error(srv, s, req->type, req->id, pair, in, BN_ENOMEM, 0, t0);
        bn_msg_free(req);
        return;
    }
    inflight_take(&lj->f, srv, s, cmd, req, in, pair, t0);
    lj->slow = (cmd->flags & F_SLOW) != 0;
    srv->later_n++;
    if (s->defer_tail == NULL)
        s->defer_head = lj;
    else
        ((later_job *)s->defer_tail)->snext = lj;
    s->defer_tail = lj;
    if (lj->slow && srv->later_slow >= LATER_SLOW_MAX) {
        if (srv->later_wait_tail == NULL)
            srv->later_wait_head = lj;
        else
            ((later_job *)srv->later_wait_tail)->wnext = lj;
        srv->later_wait_tail = lj;
        return;
    }
    later_start(srv, lj);
}

unsigned bnd_dispatch_pending(const bnd_server *srv)
{
    return srv->later_n;
}

void bnd_dispatch_set_idle_cb(bnd_server *srv, void (*cb)(void *), void *arg)
{
    srv->later_idle = cb;
    srv->later_idle_arg = arg;
}

/* ---- dispatch -------------------------------------------------------------
 */

static int run_read(bnd_server *srv, bnd_session *s, const bnd_cmd *cmd,
                    const bn_msg *req, int *rc_out)
{
    bnd_ctx cx;
    bn_msg rep;
    int rc;

    bnd_ctx_init(&cx, srv, &s->actor, &rep, req->id);
    rep.type = cmd->reply;
    cx.ch = s->ch;
    rc = bnd_store_read_begin(srv->store, &cx.txn);
    if (rc == 0) {
        rc = cmd->fn(&cx, req);
        if (rc == 0)
            rc = encode_reply(&srv->enc, &rep);
        bnd_store_read_end(srv->store, cx.txn);
    }
    if (rc == 0 && cx.did_login)
        set_login(s, &cx.login);
    if (rc != 0)
        encode_error(&srv->enc, req->id, rc, cx.errmsg);
    bnd_ctx_free(&cx); /* after: a message may live in its memory */
    *rc_out = rc;
    return rc;
}

/* Dispatches req (owned) that arrived as `in` bytes. Every request is
 * checked here, in this order: logged in (or a pre-login message), the
 * account's request rate (logged in only), known type and role, then the
 * command's own check. */
static int dispatch(bnd_server *srv, bnd_session *s, bn_msg *req, size_t in)
{
    const bnd_cmd *cmd = find_cmd(req->type);
    uint64_t t0 = now_us();
    uint64_t pair = cmd_pair(cmd, req);
    int rc;

    if (!s->logged_in) {
        if (cmd == NULL || !(cmd->flags & F_PRELOGIN) || s->auth_pending) {
            reply_error(srv, s, req->type, req->id, pair, in, BN_ENOTLOGGEDIN,
                        BND_REPLY_CLOSE, t0);
            bn_msg_free(req);
            return 0;
        }
    } else if (bnd_rate_take(srv->rate, s->actor.account_id, t0 / 1000,
                             srv->cfg.rate_per_account, srv->cfg.rate_burst,
                             cmd != NULL && (cmd->flags & F_CHUNK)
                                 ? BND_RATE_CHUNK
                                 : BND_RATE_REQUEST) != 0) {
        /* The account's connections together send too fast: this request
         * is refused, the connection goes on (the client may retry). */
        reply_error(srv, s, req->type, req->id, pair, in, BN_ELIMIT, 0, t0);
        bn_msg_free(req);
        return 0;
    } else if (cmd == NULL || (cmd->flags & F_PRELOGIN) ||
               !(cmd->roles & (1u << s->actor.role))) {
        int code = cmd == NULL                 ? BN_EUNKNOWNMSG
                   : (cmd->flags & F_PRELOGIN) ? BN_EPROTO
                                               : BN_EDENIED;
        reply_error(srv, s, req->type, req->id, pair, in, code, 0, t0);
        bn_msg_free(req);
        return 0;
    }

    if (!s->logged_in &&
        (req->type == BN_MSG_LOGIN || req->type == BN_MSG_JOIN)) {
        char msg[BN_ERRMSG_MAX];
        int other = req->type == BN_MSG_LOGIN
                        ? proto_mismatch(req->u.login.proto,
                                         req->u.login.release, msg, sizeof msg)
                        : proto_mismatch(req->u.join.proto, req->u.join.release,
                                         msg, sizeof msg);
        if (other) {
            reply_error_msg(srv, s, req->type, req->id, pair, in, BN_EVERSION,
                            msg, BND_REPLY_CLOSE, t0);
            bn_msg_free(req);
            return 0;
        }
    }

    if (cmd->check != NULL) {
        const char *errmsg = NULL;
        rc = cmd->check(srv, s, req, &errmsg);
        if (rc != 0) {
            reply_error_msg(srv, s, req->type, req->id, pair, in, rc, errmsg,
                            (cmd->flags & F_AUTH) ? BND_REPLY_CLOSE : 0, t0);
            bn_msg_free(req);
            return 0;
        }
    }

    if (cmd->flags & F_WRITE) {
        req_job *rj = calloc(1, sizeof *rj);
        if (rj == NULL) {
            reply_error(srv, s, req->type, req->id, pair, in, BN_ENOMEM, 0, t0);
            bn_msg_free(req);
            return 0;
        }
        rj->job.apply = job_apply;
        rj->job.failed = job_failed;
        rj->job.complete = job_complete;
        inflight_take(&rj->f, srv, s, cmd, req, in, pair, t0);
        if (cmd->flags & F_AUTH)
            s->auth_pending = 1;
        submit_job(srv, s, rj);
        return 0;
    }

    if (cmd->flags & F_LATER) {
        later_submit(srv, s, cmd, req, in, pair, t0);
        return 0;
    }

    run_read(srv, s, cmd, req, &rc);
    log_request(s, req->type, pair, in, srv->enc.len, rc, now_us() - t0);
    if (!s->closed)
        s->reply(s, srv->enc.data, srv->enc.len,
                 rc != 0 && (cmd->flags & F_AUTH) ? BND_REPLY_CLOSE : 0);
    bn_msg_free(req);
    return 0;
}

int bnd_dispatch(bnd_server *srv, bnd_session *s, bn_msg *req)
{
    return dispatch(srv, s, req, 0);
}

int bnd_dispatch_frame(bnd_server *srv, bnd_session *s, const uint8_t *msg,
                       size_t len)
{
    const uint8_t *frame = msg;
    bn_msg req;
    int rc = bn_msg_decode(&req, msg, len);

    if (rc != 0) {
        uint16_t type;
        uint64_t id;
        peek_header(msg, len, &type, &id);
        /* An unknown type is the client's newer vocabulary: answer and go
         * on. Anything else that does not decode ends the connection. */
        unsigned flags =
            rc == BN_EUNKNOWNMSG && s->logged_in ? 0 : BND_REPLY_CLOSE;
        bn_msg_free(&req);
        /* A LOGIN or JOIN of another shape: a client of an older release,
         * which sent its protocol number where its release put it (none
         * before protocol 2: 1). Say so, and whom to upgrade, rather than
         * "protocol error". */
        if (!s->logged_in && (rc == BN_EMISSING || rc == BN_EPROTO) &&
            (type == BN_MSG_LOGIN || type == BN_MSG_JOIN)) {
            char msg[BN_ERRMSG_MAX];
            char rel[BN_RELEASE_MAX + 1];
            uint32_t proto = peek_proto(frame, len, type, rel);
            proto_mismatch(proto, (bn_str){rel, (uint32_t)strlen(rel)}, msg,
                           sizeof msg);
            reply_error_msg(srv, s, type, id, 0, len, BN_EVERSION, msg, flags,
                            now_us());
            return BN_EVERSION;
        }
        reply_error(srv, s, type, id, 0, len, rc, flags, now_us());
        return flags ? rc : 0;
    }
    return dispatch(srv, s, &req, len);
}
