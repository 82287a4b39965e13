/*
 * bn_logbody.c: what a log entry says about the write it records, in one
 * place for the client that signs it, the server that checks it and the
 * client that later checks what the server serves against it.
 *
 * Body hash (entry version 2): BLAKE2b-256 of the request's msgpack
 * encoding with request id 0, an empty "entry" field, and every ENV field
 * (a ciphertext) replaced by the 32-byte BLAKE2b-256 of its bytes. The
 * shared codec makes the encoding canonical. Hashing the ciphertexts
 * first lets a member check a listed record against the log from its
 * metadata and the hash of its ciphertext, without fetching the
 * ciphertext.
 *
 * op, item, sub and flags (entry version 2), per request type:
 *
 *   request          item                 sub            flags
 *   PAIR_ACCEPT      0                    0              0
 *   PAIR_END         0                    reason         OVERRIDE if override
 *   KEY_PUT          0                    epoch          0
 *   NOTE_PUT         note_id              revision       PRIVATE if private,
 *                                                        SIDE if side_only
 *   SESSION_ADD      0 (the session's id is the entry's seq)
 *   SESSION_UPDATE   session_id           0              0
 *   OBJECTIVE_ADD    objective_id         0              0
 *   OBJECTIVE_REACH  objective_id         0              0
 *   OBJECTIVE_EDIT   objective_id         0              0
 *   OBJECTIVE_ABANDON objective_id        0              0
 *   OBJECTIVE_REOPEN objective_id         0              0
 *   SESSION_MODE_SET session_id           0              0
 *   DOC_CHUNK final  doc_id               chunk count    0
 *   PAIR_ERASE       0                    mine (0 or 1)  0
 *   MEMBER_ADD       account_id           new epoch      HISTORY if history
 *   MEMBER_REMOVE    account_id           new epoch      0
 *   SIDE_KEY_PUT     side (its role)      epoch          0
 *
 * op is the request's message type. Any other request is not logged.
 *
 * PAIR_END's override (issue 13) came after entries were signed without
 * it: when false it is left out of the body hash (the encoding is the
 * one of the message before it), so that those entries still match. So
 * are the fields issue 14 appended (grown[] below): SESSION_ADD's
 * absentees and follow_up, SESSION_UPDATE's absentees, OBJECTIVE_ADD's
 * and OBJECTIVE_EDIT's target_date, the final DOC_CHUNK's kind and date
 * (the self-diagnosis mark), and NOTE_PUT's side_only.
 */
#include <pthread.h>
#include <string.h>

#include "bn_proto.h"

#define ENV_FIELDS_MAX                                                         \
    4 /* the most ENV fields of one request (DOC_BEGIN: 2)                     \
       */

/* Where each message type keeps its "entry" field: its offset in the
 * message union plus one (0: none). Found once from the schema, so that a
 * request never looks a field up by its name. */
static uint32_t entry_at[BN_MSG_CODE_LIMIT];
static pthread_once_t entry_once = PTHREAD_ONCE_INIT;

static void entry_find(void)
{
    for (uint32_t t = 0; t < BN_MSG_CODE_LIMIT; t++) {
        const bn_struct_desc *d = bn_msg_desc((uint16_t)t);
        for (size_t i = 0; d != NULL && i < d->nfields; i++) {
            const bn_field_desc *f = &d->fields[i];
            if (f->kind == BN_FK_BIN && strcmp(f->name, "entry") == 0)
                entry_at[t] = (uint32_t)f->offset + 1;
        }
    }
}

bn_bin *bn_log_entry_field(bn_msg *m)
{
    if (m->type >= BN_MSG_CODE_LIMIT ||
        pthread_once(&entry_once, entry_find) != 0 || entry_at[m->type] == 0)
        return NULL;
    return (bn_bin *)((char *)&m->u + entry_at[m->type] - 1);
}

/*
 * Fields appended to a logged request after entries were signed without
 * them: while every one of them is at its zero value (0, false, empty),
 * the body hash is that of the message as it was before (its first
 * `before` fields), so that the entries signed earlier still match; once
 * one is set, the whole message is hashed.
 */
static const struct {
    uint16_t type;
    uint8_t before;
} grown[] = {
    {BN_MSG_PAIR_END, 4},       /* override (issue 13) */
    {BN_MSG_NOTE_PUT, 9},       /* side_only (issue 14) */
    {BN_MSG_SESSION_ADD, 5},    /* absentees, follow_up (issue 14) */
    {BN_MSG_SESSION_UPDATE, 5}, /* absentees (issue 14) */
    {BN_MSG_OBJECTIVE_ADD, 6},  /* target_date (issue 14) */
    {BN_MSG_OBJECTIVE_EDIT, 6}, /* target_date (issue 14) */
    {BN_MSG_DOC_CHUNK, 6},      /* kind, date (issue 14) */
};

/* field_is_zero: f of m holds its zero value. */
static int field_is_zero(const bn_msg *m, const bn_field_desc *f)
{
    const char *v = (const char *)&m->u + f->offset;
    switch (f->kind) {
    case BN_FK_U8:
    case BN_FK_BOOL:
        return *(const uint8_t *)v == 0;
    case BN_FK_U32:
        return *(const uint32_t *)v == 0;
    case BN_FK_U64:
        return *(const uint64_t *)v == 0;
    case BN_FK_I64:
        return *(const int64_t *)v == 0;
    case BN_FK_STR:
        return ((const bn_str *)v)->len == 0;
    case BN_FK_BIN:
    case BN_FK_ENV:
        return ((const bn_bin *)v)->len == 0;
    case BN_FK_LIST: {
        const struct {
            const void *v;
            uint32_t len;
        } *l = (const void *)v; /* every LIST field has this layout */
        return l->len == 0;
    }
    default:
        return 0; /* BINF and OBJ are never appended */
    }
}

/* hashed_fields: how many of m's fields its body hash covers. */
static size_t hashed_fields(const bn_msg *m, const bn_struct_desc *d)
{
    for (size_t g = 0; g < sizeof grown / sizeof grown[0]; g++) {
        if (grown[g].type != m->type)
            continue;
        for (size_t i = grown[g].before; i < d->nfields; i++)
            if (!field_is_zero(m, &d->fields[i]))
                return d->nfields;
        return grown[g].before;
    }
    return d->nfields;
}

/* body_hash is bn_log_body_hash; with pre not NULL, the i-th ENV field's
 * hash is pre[i] (the caller knows only the hash of the ciphertext). */
static int body_hash(uint8_t out[BN_HASH_BYTES], const bn_msg *req,
                     const uint8_t *const *pre)
{
    uint8_t hashes[ENV_FIELDS_MAX][BN_HASH_BYTES];
    const bn_struct_desc *d = bn_msg_desc(req->type);
    bn_msg m = *req;
    bn_bin *e = bn_log_entry_field(&m);
    size_t nenv = 0;
    bn_buf b;
    int rc;

    if (d == NULL || e == NULL)
        return BN_EINVAL;
    m.id = 0;
    m.arena = NULL;
    *e = (bn_bin){NULL, 0};
    for (size_t i = 0; i < d->nfields; i++) {
        const bn_field_desc *f = &d->fields[i];
        bn_bin *v;
        if (f->kind != BN_FK_ENV)
            continue;
        if (nenv == ENV_FIELDS_MAX)
            return BN_EINTERNAL;
        v = (bn_bin *)((char *)&m.u + f->offset);
        if (pre != NULL)
            memcpy(hashes[nenv], pre[nenv], BN_HASH_BYTES);
        else
            bn_hash(hashes[nenv], v->ptr, v->len);
        *v = (bn_bin){hashes[nenv], BN_HASH_BYTES};
        nenv++;
    }
    bn_buf_init(&b);
    rc = bn_msg_encode_first(&b, &m, hashed_fields(&m, d));
    if (rc == 0)
        bn_hash(out, b.data, b.len);
    bn_buf_free(&b);
    return rc;
}

int bn_log_body_hash(uint8_t out[BN_HASH_BYTES], const bn_msg *req)
{
    return body_hash(out, req, NULL);
}

int bn_log_describe(const bn_msg *req, uint64_t *item, uint32_t *sub,
                    uint16_t *flags)
{
    *item = 0;
    *sub = 0;
    *flags = 0;
    switch (req->type) {
    case BN_MSG_PAIR_ACCEPT:
    case BN_MSG_SESSION_ADD:
        return 0;
    case BN_MSG_PAIR_END:
        *sub = req->u.pair_end.reason;
        *flags = req->u.pair_end.override ? BN_LOG_F_OVERRIDE : 0;
        return 0;
    case BN_MSG_KEY_PUT:
        *sub = req->u.key_put.epoch;
        return 0;
    case BN_MSG_MEMBER_ADD:
        *item = req->u.member_add.account_id;
        *sub = req->u.member_add.epoch;
        *flags = req->u.member_add.history ? BN_LOG_F_HISTORY : 0;
        return 0;
    case BN_MSG_SIDE_KEY_PUT:
        *item = req->u.side_key_put.side;
        *sub = req->u.side_key_put.epoch;
        return 0;
    case BN_MSG_MEMBER_REMOVE:
        *item = req->u.member_remove.account_id;
        *sub = req->u.member_remove.epoch;
        return 0;
    case BN_MSG_PAIR_ERASE:
        *sub = req->u.pair_erase.mine ? BN_LOG_ERASE_MINE : BN_LOG_ERASE_PAIR;
        return 0;
    case BN_MSG_NOTE_PUT:
        *item = req->u.note_put.note_id;
        *sub = req->u.note_put.revision;
        *flags = (req->u.note_put.is_private ? BN_LOG_F_PRIVATE : 0) |
                 (req->u.note_put.side_only ? BN_LOG_F_SIDE : 0);
        return 0;
    case BN_MSG_SESSION_UPDATE:
        *item = req->u.session_update.session_id;
        return 0;
    case BN_MSG_OBJECTIVE_ADD:
        *item = req->u.objective_add.objective_id;
        return 0;
    case BN_MSG_OBJECTIVE_REACH:
        *item = req->u.objective_reach.objective_id;
        return 0;
    case BN_MSG_OBJECTIVE_EDIT:
        *item = req->u.objective_edit.objective_id;
        return 0;
    case BN_MSG_OBJECTIVE_ABANDON:
        *item = req->u.objective_abandon.objective_id;
        return 0;
    case BN_MSG_OBJECTIVE_REOPEN:
        *item = req->u.objective_reopen.objective_id;
        return 0;
    case BN_MSG_SESSION_MODE_SET:
        *item = req->u.session_mode_set.session_id;
        return 0;
    case BN_MSG_DOC_CHUNK:
        if (!req->u.doc_chunk.final || req->u.doc_chunk.index == UINT32_MAX)
            return BN_EINVAL;
        *item = req->u.doc_chunk.doc_id;
        *sub = req->u.doc_chunk.index + 1;
        return 0;
    default:
        return BN_EINVAL;
    }
}

/* entry_matches is bn_log_entry_matches with body_hash's pre. */
static int entry_matches(const bn_log_entry *e, const bn_msg *req,
                         const uint8_t *const *pre)
{
    uint8_t h[BN_HASH_BYTES];
    uint64_t item;
    uint32_t sub;
    uint16_t flags;
    int rc;

    if (e->version != BN_LOG_VERSION)
        return BN_EINVAL;
    rc = bn_log_describe(req, &item, &sub, &flags);
    if (rc != 0)
        return rc;
    if (e->op != req->type || e->item != item || e->sub != sub ||
        e->flags != flags)
        return BN_EINVAL;
    rc = body_hash(h, req, pre);
    if (rc != 0)
        return rc;
    /* Public data: a hash the author signed against one computed here. */
    return memcmp(h, e->body_hash, BN_HASH_BYTES) == 0 ? 0 : BN_EINVAL;
}

int bn_log_entry_matches(const bn_log_entry *e, const bn_msg *req)
{
    return entry_matches(e, req, NULL);
}

int bn_log_entry_make(bn_log_entry *e, const bn_msg *req, uint64_t seq,
                      const uint8_t prev[BN_HASH_BYTES], uint64_t author_id,
                      int64_t time)
{
    int rc;

    memset(e, 0, sizeof *e);
    e->version = BN_LOG_VERSION;
    e->op = (uint8_t)req->type;
    rc = bn_log_describe(req, &e->item, &e->sub, &e->flags);
    if (rc == 0)
        rc = bn_log_body_hash(e->body_hash, req);
    if (rc != 0)
        return rc;
    e->seq = seq;
    memcpy(e->prev, prev, BN_HASH_BYTES);
    e->author_id = author_id;
    e->time = time;
    return 0;
}

int bn_log_entry_matches_hashed(const bn_log_entry *e, const bn_msg *req,
                                const uint8_t *const *env_hashes)
{
    if (env_hashes == NULL)
        return BN_EINVAL;
    return entry_matches(e, req, env_hashes);
}
