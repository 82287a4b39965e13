/*
 * bn_proto.h: frames and messages shared by binomed and libbinome.
 *
 * Framing: a 4-byte big-endian length, then that many bytes of body. The
 * first two frames of a connection carry the handshake (bn_crypto.h); every
 * later body is a bn_channel ciphertext whose plaintext is one message
 * encoded by bn_msg_encode (a msgpack array, see bn_schema.h).
 *
 * All functions return 0 or a negative BN_E* code.
 */
#ifndef BN_PROTO_H
#define BN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "bn_err.h"
#include "bn_schema.h"
#include "bn_util.h"

/* ---- frames --------------------------------------------------------- */

#define BN_FRAME_HDR 4
#define BN_FRAME_MAX (1u << 20)     /* body limit once logged in */
#define BN_FRAME_MAX_PRELOGIN 4096u /* body limit before login */
/* message > LIST > element > LIST > element: SESSIONS, a session's
 * absentees (issue 14; 4 before) */
#define BN_MSG_MAX_DEPTH 5

/*
 * bn_frame_reader accumulates bytes from a stream and hands out whole
 * frame bodies. A length above the current limit is an error (BN_ETOOBIG)
 * as soon as the 4 header bytes arrive, before any allocation for the body.
 */
typedef struct bn_frame_reader {
    uint8_t *buf;
    size_t len; /* bytes held */
    size_t off; /* start of the first unconsumed byte */
    size_t cap;
    size_t limit; /* largest body accepted */
} bn_frame_reader;

void bn_frame_reader_init(bn_frame_reader *r, size_t limit);
/* bn_frame_reader_free releases the buffer (wiped first); accepts NULL. */
void bn_frame_reader_free(bn_frame_reader *r);
void bn_frame_reader_set_limit(bn_frame_reader *r, size_t limit);

/*
 * bn_frame_reader_feed appends len bytes. Returns 0, BN_ETOOBIG when a
 * frame header in the held bytes announces more than the limit, or
 * BN_ENOMEM. After an error the reader must be discarded.
 */
int bn_frame_reader_feed(bn_frame_reader *r, const uint8_t *data, size_t len);

/*
 * bn_frame_reader_next pops the next whole frame: 0 with *body / *len set
 * (body valid until the next feed or next call), BN_EAGAIN when the frame
 * is not complete yet, BN_ETOOBIG as for feed.
 */
int bn_frame_reader_next(bn_frame_reader *r, const uint8_t **body, size_t *len);

/*
 * bn_frame_reader_trim frees the buffer (wiped first) when it is bigger
 * than the minimum and every byte held has been consumed; it keeps partial
 * frames. Bodies handed out by next are invalid afterwards. The next feed
 * allocates again.
 */
void bn_frame_reader_trim(bn_frame_reader *r);

/* bn_frame_header writes the 4-byte length prefix for a body of len. */
void bn_frame_header(uint8_t hdr[BN_FRAME_HDR], uint32_t len);

/* ---- message types, generated from bn_schema.h ---------------------- */

/* Strings are NUL-terminated; binaries are not. len excludes the NUL. */
typedef struct bn_str {
    const char *ptr;
    uint32_t len;
} bn_str;

typedef struct bn_bin {
    const uint8_t *ptr;
    uint32_t len;
} bn_bin;

#define BN__DECL(T, kind, name, a, b) BN__DECL_##kind(name, a, b)
#define BN__DECL_U8(n, a, b) uint8_t n;
#define BN__DECL_U32(n, a, b) uint32_t n;
#define BN__DECL_U64(n, a, b) uint64_t n;
#define BN__DECL_I64(n, a, b) int64_t n;
#define BN__DECL_BOOL(n, a, b) uint8_t n;
#define BN__DECL_STR(n, a, b) bn_str n;
#define BN__DECL_BIN(n, a, b) bn_bin n;
#define BN__DECL_ENV(n, a, b) bn_bin n;
#define BN__DECL_BINF(n, a, b) uint8_t n[a];
#define BN__DECL_OBJ(n, a, b) struct bn_##a n;
#define BN__DECL_LIST(n, a, b)                                                 \
    struct {                                                                   \
        struct bn_##a *v;                                                      \
        uint32_t len;                                                          \
    } n;

/* Every structure ends with a byte that is not on the wire, so that a
 * message without fields is still a valid C structure. */
#define BN__STRUCT_TYPEDEF(name)                                               \
    typedef struct bn_##name {                                                 \
        BN_F_##name(BN__DECL, struct bn_##name) uint8_t bn__end;               \
    } bn_##name;
BN_STRUCTS(BN__STRUCT_TYPEDEF)
#define BN__MSG_TYPEDEF(NAME, name, code) BN__STRUCT_TYPEDEF(name)
BN_MSGS(BN__MSG_TYPEDEF)
#undef BN__MSG_TYPEDEF

enum bn_msg_type {
#define BN__MSG_ENUM(NAME, name, code) BN_MSG_##NAME = code,
    BN_MSGS(BN__MSG_ENUM)
#undef BN__MSG_ENUM
};

/*
 * bn_msg: one decoded or to-be-encoded message. For decoding, strings,
 * binaries and list arrays point into memory owned by the message (arena),
 * which bn_msg_free releases; for encoding, they point wherever the caller
 * wants and the caller keeps them alive until bn_msg_encode returns.
 */
typedef struct bn_msg {
    uint16_t type;
    uint64_t id;
    union {
#define BN__MSG_MEMBER(NAME, name, code) bn_##name name;
        BN_MSGS(BN__MSG_MEMBER)
#undef BN__MSG_MEMBER
    } u;
    void *arena; /* owned allocations of a decoded message */
} bn_msg;

/* bn_msg_init zeroes m and sets its type and request id; a LOGIN or a
 * JOIN also gets this release's protocol (BN_PROTO_VERSION) and name. */
void bn_msg_init(bn_msg *m, uint16_t type, uint64_t id);

/* bn_msg_free releases what decoding allocated; accepts NULL. */
void bn_msg_free(bn_msg *m);

/*
 * bn_msg_encode appends m's msgpack encoding to out. BN_EUNKNOWNMSG for a
 * type not in the schema, BN_ETOOLONG / BN_ERANGE / BN_ECOUNT when a field
 * breaks the schema's limits (the encoder checks what the decoder checks),
 * BN_ENOMEM.
 */
int bn_msg_encode(bn_buf *out, const bn_msg *m);
/* bn_msg_encode_first encodes m with only its first nfields fields (the
 * message as it was before later fields were appended): the log's body
 * hash of a request whose new fields are all at their zero value. */
int bn_msg_encode_first(bn_buf *out, const bn_msg *m, size_t nfields);

/*
 * bn_msg_decode parses exactly len bytes into m. It checks, before use:
 * the structure (depth at most BN_MSG_MAX_DEPTH, every count against the
 * bytes left and the schema's maximum), then each field's type, range and
 * length, the field count, and that nothing trails. Errors: BN_ETRUNC,
 * BN_ETYPE, BN_EMISSING (too few fields), BN_EPROTO (too many fields),
 * BN_ETOOLONG, BN_ERANGE, BN_ECOUNT, BN_EDEPTH, BN_ETRAILING,
 * BN_EUNKNOWNMSG, BN_ENOMEM. On error m holds nothing to free (it is safe
 * to call bn_msg_free anyway).
 */
int bn_msg_decode(bn_msg *m, const uint8_t *buf, size_t len);

/* bn_msg_name returns "NOTE_PUT" etc., or "UNKNOWN". */
const char *bn_msg_name(uint16_t type);

/* bn_msg_known returns 1 when type is in the schema. */
int bn_msg_known(uint16_t type);

/*
 * bn_str_check tells whether s[0..len) may travel as a STR field of at
 * most max bytes: 0, BN_ETOOLONG, BN_ETYPE (a NUL byte or invalid UTF-8),
 * or BN_EINVAL (s NULL with len > 0). The codec applies the same check;
 * callers use it to name the bad input before building a message.
 */
int bn_str_check(const char *s, size_t len, size_t max);

/* ---- what a log entry records (bn_logbody.c) -------------------------- */

/* The sub of a PAIR_ERASE entry: the member's consent to erase the whole
 * pair, or the erasure of what the entry's author wrote (their note
 * revisions and documents up to that entry). */
#define BN_LOG_ERASE_PAIR 0u
#define BN_LOG_ERASE_MINE 1u

/* bn_log_entry_field returns the "entry" field of a logged request, or
 * NULL for a type that carries none. It points into m. */
bn_bin *bn_log_entry_field(bn_msg *m);

/*
 * bn_log_body_hash computes the body hash a version 2 entry carries for
 * req: the request's encoding with id 0, the entry empty and every
 * ciphertext (ENV) field replaced by its BLAKE2b-256. BN_EINVAL for a
 * type that carries no entry; encoding errors pass through.
 */
int bn_log_body_hash(uint8_t out[BN_HASH_BYTES], const bn_msg *req);

/*
 * bn_log_describe gives the item, sub and flags a version 2 entry carries
 * for req (its op is req->type); see the table in bn_logbody.c. BN_EINVAL
 * for a request that is not logged (a DOC_CHUNK that is not final).
 */
int bn_log_describe(const bn_msg *req, uint64_t *item, uint32_t *sub,
                    uint16_t *flags);

/*
 * bn_log_entry_matches tells whether e (decoded, any signature checked
 * elsewhere) records exactly req: version 2, op, item, sub, flags and the
 * body hash. 0 or BN_EINVAL.
 */
int bn_log_entry_matches(const bn_log_entry *e, const bn_msg *req);

/*
 * bn_log_entry_matches_hashed is the same check when only the hashes of
 * req's ciphertexts are known (a listed note: its envelope's hash):
 * env_hashes[i] is the BLAKE2b-256 of req's i-th ENV field, whose own
 * bytes are not read.
 */
int bn_log_entry_matches_hashed(const bn_log_entry *e, const bn_msg *req,
                                const uint8_t *const *env_hashes);

/*
 * bn_log_entry_make fills e, unsigned, as the version 2 entry that records
 * req: op, item, sub and flags (bn_log_describe), the body hash, then seq,
 * prev, author and time as given. 0, or bn_log_describe's BN_EINVAL for a
 * request that is not logged. Sign it with bn_log_entry_sign.
 */
int bn_log_entry_make(bn_log_entry *e, const bn_msg *req, uint64_t seq,
                      const uint8_t prev[BN_HASH_BYTES], uint64_t author_id,
                      int64_t time);

/*
 * bn_audit_canary_check tells whether p[0..len) may be a live audit's
 * canary: 0, or BN_EINVAL when it is shorter than BN_AUDIT_CANARY_MIN
 * (a short string is guessed, and grown byte by byte), longer than
 * BN_AUDIT_CANARY_MAX, or holds a byte outside printable ASCII (0x20 to
 * 0x7e: a canary is text a person wrote through the client). The client
 * checks before sending, the server again.
 */
int bn_audit_canary_check(const uint8_t *p, size_t len);

/* ---- generic structures (for records stored by the server) ---------- */

/*
 * The same codec serves any structure described with the schema macros:
 * the server describes its LMDB records this way (server/bnd_schema.h).
 * A field descriptor table is made with BN_STRUCT_DESC(name) in one .c
 * file after BN_F_name is defined; decoding allocates into *arena (free
 * with bn_arena_free).
 */
enum bn_field_kind {
    BN_FK_U8 = 1,
    BN_FK_U32,
    BN_FK_U64,
    BN_FK_I64,
    BN_FK_BOOL,
    BN_FK_STR,
    BN_FK_BIN,
    BN_FK_ENV,
    BN_FK_BINF,
    BN_FK_OBJ,
    BN_FK_LIST,
};

struct bn_struct_desc;

typedef struct bn_field_desc {
    uint8_t kind; /* enum bn_field_kind */
    const char *name;
    size_t offset;
    uint64_t a; /* max value / max length / exact length */
    uint32_t b; /* LIST: max count */
    const struct bn_struct_desc *elem; /* OBJ, LIST: element description */
} bn_field_desc;

typedef struct bn_struct_desc {
    const char *name;
    size_t size;
    size_t nfields;
    const bn_field_desc *fields;
} bn_struct_desc;

#define BN__FD(T, kind, n, a, b) BN__FD_##kind(T, n, a, b)
#define BN__FD_SCALAR(K, T, n, a)                                              \
    {K, #n, offsetof(T, n), (uint64_t)(a), 0, NULL},
#define BN__FD_U8(T, n, a, b) BN__FD_SCALAR(BN_FK_U8, T, n, a)
#define BN__FD_U32(T, n, a, b) BN__FD_SCALAR(BN_FK_U32, T, n, a)
#define BN__FD_U64(T, n, a, b) BN__FD_SCALAR(BN_FK_U64, T, n, a)
#define BN__FD_I64(T, n, a, b) BN__FD_SCALAR(BN_FK_I64, T, n, a)
#define BN__FD_BOOL(T, n, a, b) BN__FD_SCALAR(BN_FK_BOOL, T, n, a)
#define BN__FD_STR(T, n, a, b) BN__FD_SCALAR(BN_FK_STR, T, n, a)
#define BN__FD_BIN(T, n, a, b) BN__FD_SCALAR(BN_FK_BIN, T, n, a)
#define BN__FD_ENV(T, n, a, b) BN__FD_SCALAR(BN_FK_ENV, T, n, a)
#define BN__FD_BINF(T, n, a, b) BN__FD_SCALAR(BN_FK_BINF, T, n, a)
#define BN__FD_OBJ(T, n, a, b)                                                 \
    {BN_FK_OBJ, #n, offsetof(T, n), 0, 0, &bn_desc_##a},
#define BN__FD_LIST(T, n, a, b)                                                \
    {BN_FK_LIST, #n, offsetof(T, n), 0, (b), &bn_desc_##a},

/* BN_STRUCT_DESC(name) defines const bn_struct_desc bn_desc_name. A field
 * list without fields still gets a one-element table (never read). */
#define BN_STRUCT_DESC(name)                                                   \
    static const bn_field_desc bn__fields_##name[] = {                         \
        BN_F_##name(BN__FD, struct bn_##name){0, NULL, 0, 0, 0, NULL}};        \
    const bn_struct_desc bn_desc_##name = {                                    \
        #name, sizeof(struct bn_##name),                                       \
        sizeof bn__fields_##name / sizeof bn__fields_##name[0] - 1,            \
        bn__fields_##name};

#define BN__DESC_EXTERN(name) extern const bn_struct_desc bn_desc_##name;
BN_STRUCTS(BN__DESC_EXTERN)
#define BN__MSG_DESC_EXTERN(NAME, name, code) BN__DESC_EXTERN(name)
BN_MSGS(BN__MSG_DESC_EXTERN)
#undef BN__MSG_DESC_EXTERN

/* Message codes are below BN_MSG_CODE_LIMIT (checked at compile time):
 * tables indexed by code have this many entries. */
#define BN_MSG_CODE_LIMIT 256

/*
 * bn_field_scalar_size returns the C size of a field that copies as plain
 * bytes: its integer, its bn_str or bn_bin, its fixed bytes (BINF); 0 for
 * OBJ and LIST, which have descriptions of their own.
 */
size_t bn_field_scalar_size(const bn_field_desc *f);

/* bn_msg_desc returns the description of a message type, or NULL. */
const bn_struct_desc *bn_msg_desc(uint16_t type);

/*
 * bn_struct_encode appends the msgpack array of s's fields to out.
 * bn_struct_decode parses exactly len bytes into s (zeroed first), with
 * the same checks as bn_msg_decode; what it allocates is chained on
 * *arena (which may already hold allocations) and freed by bn_arena_free.
 */
int bn_struct_encode(bn_buf *out, const bn_struct_desc *d, const void *s);
int bn_struct_decode(const bn_struct_desc *d, void *s, const uint8_t *buf,
                     size_t len, void **arena);
void bn_arena_free(void **arena);

#endif
