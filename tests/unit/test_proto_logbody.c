/*
 * test_proto_logbody.c: what a log entry says about the write it records
 * (proto/bn_logbody.c): body hashes with ciphertexts hashed first, the
 * item table, and the one check that an entry records a request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h"

#include "bn_proto.h"

static uint8_t env[300];

/* note_put fills a NOTE_PUT with a fixed envelope and a dummy entry. */
static void note_put(bn_msg *m)
{
    static const uint8_t entry[BN_LOG_ENTRY_BYTES] = {2};
    bn_msg_init(m, BN_MSG_NOTE_PUT, 77);
    m->u.note_put.pair_id = 5;
    m->u.note_put.note_id = 0xabcdef;
    m->u.note_put.revision = 3;
    m->u.note_put.kind = BN_KIND_REPORT;
    m->u.note_put.is_private = 1;
    m->u.note_put.session_id = 12;
    m->u.note_put.epoch = 1;
    m->u.note_put.envelope = (bn_bin){env, sizeof env};
    m->u.note_put.entry = (bn_bin){entry, sizeof entry};
}

/* entry_for makes the version 2 entry a client would sign for m. */
static void entry_for(bn_log_entry *e, const bn_msg *m)
{
    static const uint8_t prev[BN_HASH_BYTES];
    assert_int_equal(bn_log_entry_make(e, m, 1, prev, 2, 1700000000), 0);
    assert_int_equal(e->version, BN_LOG_VERSION);
    assert_int_equal(e->op, m->type);
}

static void test_body_hash_ignores_id_and_entry(void **state)
{
    (void)state;
    bn_msg a, b;
    uint8_t ha[32], hb[32];
    note_put(&a);
    note_put(&b);
    b.id = 1234;
    b.u.note_put.entry = (bn_bin){NULL, 0};
    assert_int_equal(bn_log_body_hash(ha, &a), 0);
    assert_int_equal(bn_log_body_hash(hb, &b), 0);
    assert_memory_equal(ha, hb, 32);
    /* every field counts: here the session a note reports on */
    b.u.note_put.session_id++;
    assert_int_equal(bn_log_body_hash(hb, &b), 0);
    assert_memory_not_equal(ha, hb, 32);
}

static void test_body_hash_of_ciphertext_hash(void **state)
{
    (void)state;
    bn_msg m;
    bn_log_entry e;
    uint8_t h[32];
    const uint8_t *pre[1] = {h};
    randombytes_buf(env, sizeof env);
    note_put(&m);
    entry_for(&e, &m);
    assert_int_equal(bn_log_entry_matches(&e, &m), 0);
    /* A listed note: only the envelope's hash is known. */
    bn_hash(h, env, sizeof env);
    m.u.note_put.envelope = (bn_bin){NULL, 0};
    assert_int_equal(bn_log_entry_matches_hashed(&e, &m, pre), 0);
    h[0] ^= 1;
    assert_int_equal(bn_log_entry_matches_hashed(&e, &m, pre), BN_EINVAL);
    /* Another envelope (a swapped ciphertext) does not match. */
    note_put(&m);
    env[10] ^= 1;
    assert_int_equal(bn_log_entry_matches(&e, &m), BN_EINVAL);
}

static void test_describe_table(void **state)
{
    (void)state;
    bn_msg m;
    uint64_t item;
    uint32_t sub;
    uint16_t flags;
    note_put(&m);
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), 0);
    assert_int_equal(item, 0xabcdef);
    assert_int_equal(sub, 3);
    assert_int_equal(flags, BN_LOG_F_PRIVATE);
    bn_msg_init(&m, BN_MSG_KEY_PUT, 0);
    m.u.key_put.epoch = 4;
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), 0);
    assert_int_equal(item, 0);
    assert_int_equal(sub, 4);
    bn_msg_init(&m, BN_MSG_DOC_CHUNK, 0);
    m.u.doc_chunk.doc_id = 9;
    m.u.doc_chunk.index = 6;
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), BN_EINVAL);
    m.u.doc_chunk.final = 1;
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), 0);
    assert_int_equal(item, 9);
    assert_int_equal(sub, 7);
    bn_msg_init(&m, BN_MSG_SESSION_UPDATE, 0);
    m.u.session_update.session_id = 42;
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), 0);
    assert_int_equal(item, 42);
    bn_msg_init(&m, BN_MSG_NOTE_LIST, 0); /* a read: never logged */
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), BN_EINVAL);
    assert_null(bn_log_entry_field(&m));
}

/* An entry that says another op, item, revision or flag than its request
 * does not record it, even with the right body hash. */
static void test_entry_must_name_its_request(void **state)
{
    (void)state;
    bn_msg m;
    bn_log_entry e, x;
    note_put(&m);
    entry_for(&e, &m);
    assert_int_equal(bn_log_entry_matches(&e, &m), 0);
    x = e;
    x.sub = 2;
    assert_int_equal(bn_log_entry_matches(&x, &m), BN_EINVAL);
    x = e;
    x.item++;
    assert_int_equal(bn_log_entry_matches(&x, &m), BN_EINVAL);
    x = e;
    x.flags = 0;
    assert_int_equal(bn_log_entry_matches(&x, &m), BN_EINVAL);
    x = e;
    x.op = BN_MSG_OBJECTIVE_ADD;
    assert_int_equal(bn_log_entry_matches(&x, &m), BN_EINVAL);
    x = e;
    x.version = 1;
    assert_int_equal(bn_log_entry_matches(&x, &m), BN_EINVAL);
}

/* PAIR_END's override (issue 13) came after entries were signed: false,
 * the body hash is that of the message as it was (4 fields), so that an
 * end signed before still matches; true, it is covered and flagged. */
static void test_pair_end_override(void **state)
{
    (void)state;
    bn_msg m;
    uint8_t h[BN_HASH_BYTES], old[BN_HASH_BYTES], with[BN_HASH_BYTES];
    uint64_t item;
    uint32_t sub;
    uint16_t flags;
    /* [0x35, id 0, pair 5, reason 1, date 20000, entry ""] */
    static const uint8_t before[] = {0x96, 0x35, 0x00, 0x05, 0x01,
                                     0xcd, 0x4e, 0x20, 0xc4, 0x00};
    bn_msg_init(&m, BN_MSG_PAIR_END, 7);
    m.u.pair_end.pair_id = 5;
    m.u.pair_end.reason = BN_END_COMPLETED;
    m.u.pair_end.date = 20000;
    assert_int_equal(bn_log_body_hash(h, &m), 0);
    bn_hash(old, before, sizeof before);
    assert_memory_equal(h, old, BN_HASH_BYTES);
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), 0);
    assert_int_equal(flags, 0);
    m.u.pair_end.override = 1;
    assert_int_equal(bn_log_body_hash(with, &m), 0);
    assert_memory_not_equal(with, old, BN_HASH_BYTES);
    assert_int_equal(bn_log_describe(&m, &item, &sub, &flags), 0);
    assert_int_equal(flags, BN_LOG_F_OVERRIDE);
}

/* The fields issue 14 appended to SESSION_ADD, OBJECTIVE_ADD,
 * OBJECTIVE_EDIT and DOC_CHUNK (grown[]): at zero, the body hash is the
 * one of the message as it was signed before them (bytes written here by
 * hand, each ENV field replaced by the hash of its bytes); set, it
 * changes. */
static void test_deliverables_grown(void **state)
{
    (void)state;
    uint8_t env[3] = {1, 2, 3}, eh[BN_HASH_BYTES];
    uint8_t h[BN_HASH_BYTES], want[BN_HASH_BYTES], with[BN_HASH_BYTES];
    uint8_t b[64];
    size_t n;
    bn_msg m;

    bn_hash(eh, env, sizeof env);
    /* [0x50, 0, pair 5, date 20000, held, absent 0, entry ""] */
    static const uint8_t sess[] = {0x97, 0x50, 0x00, 0x05, 0xcd, 0x4e,
                                   0x20, 0x02, 0x00, 0xc4, 0x00};
    bn_msg_init(&m, BN_MSG_SESSION_ADD, 3);
    m.u.session_add.pair_id = 5;
    m.u.session_add.date = 20000;
    m.u.session_add.status = BN_SESSION_HELD;
    assert_int_equal(bn_log_body_hash(h, &m), 0);
    bn_hash(want, sess, sizeof sess);
    assert_memory_equal(h, want, BN_HASH_BYTES);
    m.u.session_add.follow_up = 1;
    assert_int_equal(bn_log_body_hash(with, &m), 0);
    assert_memory_not_equal(with, want, BN_HASH_BYTES);

    /* [type, 0, pair 5, objective 9, epoch 1, bin8 hash, date 20000,
     * entry ""] for OBJECTIVE_ADD and OBJECTIVE_EDIT alike */
    for (int edit = 0; edit < 2; edit++) {
        uint16_t type = edit ? BN_MSG_OBJECTIVE_EDIT : BN_MSG_OBJECTIVE_ADD;
        n = 0;
        b[n++] = 0x98;
        b[n++] = (uint8_t)type;
        b[n++] = 0x00;
        b[n++] = 0x05;
        b[n++] = 0x09;
        b[n++] = 0x01;
        b[n++] = 0xc4;
        b[n++] = BN_HASH_BYTES;
        memcpy(b + n, eh, BN_HASH_BYTES);
        n += BN_HASH_BYTES;
        b[n++] = 0xcd;
        b[n++] = 0x4e;
        b[n++] = 0x20;
        b[n++] = 0xc4;
        b[n++] = 0x00;
        bn_msg_init(&m, type, 3);
        /* objective_add and objective_edit have the same fields */
        m.u.objective_add.pair_id = 5;
        m.u.objective_add.objective_id = 9;
        m.u.objective_add.epoch = 1;
        m.u.objective_add.envelope = (bn_bin){env, sizeof env};
        m.u.objective_add.date = 20000;
        assert_int_equal(bn_log_body_hash(h, &m), 0);
        bn_hash(want, b, n);
        assert_memory_equal(h, want, BN_HASH_BYTES);
        m.u.objective_add.target_date = 20100;
        assert_int_equal(bn_log_body_hash(with, &m), 0);
        assert_memory_not_equal(with, want, BN_HASH_BYTES);
    }

    /* [0x71, 0, pair 5, doc 9, index 0, bin8 hash, final, entry ""] */
    n = 0;
    b[n++] = 0x98;
    b[n++] = 0x71;
    b[n++] = 0x00;
    b[n++] = 0x05;
    b[n++] = 0x09;
    b[n++] = 0x00;
    b[n++] = 0xc4;
    b[n++] = BN_HASH_BYTES;
    memcpy(b + n, eh, BN_HASH_BYTES);
    n += BN_HASH_BYTES;
    b[n++] = 0xc3;
    b[n++] = 0xc4;
    b[n++] = 0x00;
    bn_msg_init(&m, BN_MSG_DOC_CHUNK, 3);
    m.u.doc_chunk.pair_id = 5;
    m.u.doc_chunk.doc_id = 9;
    m.u.doc_chunk.data = (bn_bin){env, sizeof env};
    m.u.doc_chunk.final = 1;
    assert_int_equal(bn_log_body_hash(h, &m), 0);
    bn_hash(want, b, n);
    assert_memory_equal(h, want, BN_HASH_BYTES);
    m.u.doc_chunk.date = 20000; /* a date alone is hashed too */
    assert_int_equal(bn_log_body_hash(with, &m), 0);
    assert_memory_not_equal(with, want, BN_HASH_BYTES);
    m.u.doc_chunk.kind = BN_DOC_DIAGNOSIS;
    assert_int_equal(bn_log_body_hash(h, &m), 0);
    assert_memory_not_equal(h, with, BN_HASH_BYTES);
}

/* SESSION_ADD and SESSION_UPDATE grew absentees (issue 14): an empty
 * list hashes as the five fields before it (entries signed earlier still
 * match); a named absentee is hashed, and a different one differs. */
static void test_session_absentees_grown(void **state)
{
    (void)state;
    bn_msg m;
    uint8_t h[BN_HASH_BYTES], old[BN_HASH_BYTES], with[BN_HASH_BYTES],
        other[BN_HASH_BYTES];
    struct bn_account_ref who[2] = {{7, 0}, {9, 0}};
    /* [0x50, id 0, pair 5, date 20000, status 2, absent 2, entry ""] */
    static const uint8_t add_before[] = {0x97, 0x50, 0x00, 0x05, 0xcd, 0x4e,
                                         0x20, 0x02, 0x02, 0xc4, 0x00};
    /* [0x51, id 0, pair 5, session 3, status 2, absent 0, entry ""] */
    static const uint8_t upd_before[] = {0x97, 0x51, 0x00, 0x05, 0x03,
                                         0x02, 0x00, 0xc4, 0x00};

    bn_msg_init(&m, BN_MSG_SESSION_ADD, 7);
    m.u.session_add.pair_id = 5;
    m.u.session_add.date = 20000;
    m.u.session_add.status = BN_SESSION_HELD;
    m.u.session_add.absent = BN_ABSENT_MENTEE;
    assert_int_equal(bn_log_body_hash(h, &m), 0);
    bn_hash(old, add_before, sizeof add_before);
    assert_memory_equal(h, old, BN_HASH_BYTES);
    m.u.session_add.absentees.v = who;
    m.u.session_add.absentees.len = 1;
    assert_int_equal(bn_log_body_hash(with, &m), 0);
    assert_memory_not_equal(with, old, BN_HASH_BYTES);
    m.u.session_add.absentees.v = who + 1;
    assert_int_equal(bn_log_body_hash(other, &m), 0);
    assert_memory_not_equal(other, with, BN_HASH_BYTES);

    bn_msg_init(&m, BN_MSG_SESSION_UPDATE, 7);
    m.u.session_update.pair_id = 5;
    m.u.session_update.session_id = 3;
    m.u.session_update.status = BN_SESSION_HELD;
    assert_int_equal(bn_log_body_hash(h, &m), 0);
    bn_hash(old, upd_before, sizeof upd_before);
    assert_memory_equal(h, old, BN_HASH_BYTES);
    m.u.session_update.absentees.v = who;
    m.u.session_update.absentees.len = 2;
    assert_int_equal(bn_log_body_hash(with, &m), 0);
    assert_memory_not_equal(with, old, BN_HASH_BYTES);
}

BN_UNIT_GROUP(proto_logbody);
