/* test_srv_upgrade: a data directory made by the previous release
 * (tests/fixtures/schema3, made by tests/fixtures/make_schema3.sh against
 * commit 1830fbf) is refused as it is, converted by bnd_upgrade after a
 * backup, audits clean, and serves its pair as schema 4 says: sessions
 * renumbered to their log seq with the notes that point to them, the
 * version 1 log entries as they were signed, final hashes computed, and
 * a new write (version 2 entry) extends the old chain.
 *
 * The fixture's story: seq 1 and 2 are the acceptances, 3 the held session
 * (old id 1, its report N1 at revision 2 points to it), 4 the planned one
 * (old id 2), then the notes, the objective and the document. The mentor's
 * profile (passphrase "test passphrase") logs in. */
#include "test_srv_world.h"
#include "test_list.h"

#include <sys/stat.h>

#include "bnd_audit.h"
#include "bnd_schema.h"
#include "bnd_stats.h"
#include "bnd_upgrade.h"

static char fixture[512];
static char data[128];
static uint64_t pair_id, note_n1;

/* Reads KEY=VALUE from file (a profile.conf or story.env) into out. */
static void conf_get(const char *file, const char *key, char *out, size_t cap)
{
    char path[700], line[256];
    size_t klen = strlen(key);
    snprintf(path, sizeof path, "%s/%s", fixture, file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    out[0] = '\0';
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, cap, "%s", line + klen + 1);
        }
    fclose(f);
    assert_true(out[0] != '\0');
}

static int up_setup(void **state)
{
    char cmd[1400], v[64];
    (void)state;
    const char *env = getenv("BN_FIXTURES");
    snprintf(fixture, sizeof fixture, "%s/schema3",
             env != NULL ? env : "tests/fixtures");
    bnd_log_set_level(BND_LOG_ERROR);
    assert_int_equal(bn_crypto_init(), 0);
    strcpy(W.dir, "/tmp/bnd-up-XXXXXX");
    assert_non_null(mkdtemp(W.dir));
    snprintf(data, sizeof data, "%s/data", W.dir);
    snprintf(cmd, sizeof cmd, "cp -r '%s/data' '%s'", fixture, data);
    assert_int_equal(system(cmd), 0);
    conf_get("story.env", "PAIR", v, sizeof v);
    pair_id = strtoull(v, NULL, 10);
    conf_get("story.env", "N1", v, sizeof v);
    note_n1 = strtoull(v, NULL, 16);
    assert_int_equal(uv_loop_init(&W.loop), 0);
    return 0;
}

static int up_teardown(void **state)
{
    (void)state;
    client_free(&W.mentor);
    if (W.srv != NULL)
        bnd_server_close(W.srv);
    assert_int_equal(uv_loop_close(&W.loop), 0);
    bn_testfs_rmtree(W.dir);
    return 0;
}

static int open_server(void)
{
    bnd_config cfg;
    bnd_config_defaults(&cfg);
    strcpy(cfg.data_dir, data);
    return bnd_server_open(&W.srv, &cfg, &W.loop);
}

/* Refused as it is; converted once, after a backup; audits clean. */
static void test_convert(void **state)
{
    (void)state;
    bnd_upgrade_info info;
    bnd_audit_report r;
    uint32_t version = 0;
    char path[4200];
    struct stat sb;

    assert_int_equal(bnd_upgrade_schema_of(data, &version), 0);
    assert_int_equal(version, 3);
    assert_int_equal(open_server(), BN_EVERSION);
    W.srv = NULL;
    assert_int_equal(bnd_upgrade(data, &info), 0);
    assert_int_equal(info.backed_up, 1);
    assert_non_null(strstr(info.backup, "data.schema3-backup-"));
    snprintf(path, sizeof path, "%s/data.mdb", info.backup);
    assert_int_equal(stat(path, &sb), 0);
    /* the backup is the schema 3 directory */
    assert_int_equal(bnd_upgrade_schema_of(info.backup, &version), 0);
    assert_int_equal(version, 3);
    assert_int_equal(info.sessions, 2);
    assert_int_equal(info.notes, 2); /* N1's two revisions */
    assert_int_equal(info.wraps, 2);
    assert_int_equal(info.accepts, 2);
    assert_int_equal(info.docs, 1);
    assert_int_equal(bnd_upgrade_schema_of(data, &version), 0);
    assert_int_equal(version, BND_SCHEMA_VERSION);
    assert_int_equal(bnd_upgrade(data, &info), BN_EEXIST);
    /* the statistics were recounted under today's rules (bnd_stats.h):
     * the held session and the planned one */
    bnd_store_opts o = {0};
    bnd_store *st = NULL;
    MDB_txn *txn = NULL;
    bn_rec_pair_stats ps;
    void *arena = NULL;
    assert_int_equal(bnd_store_open(&st, data, &o), 0);
    assert_int_equal(bnd_store_read_begin(st, &txn), 0);
    assert_int_equal(bnd_stats_counting(st, txn, &version), 0);
    assert_int_equal(version, BND_STATS_COUNTING);
    assert_int_equal(
        bnd_stats_pair_get(st, txn, pair_id, 1 /* PROG */, &ps, &arena), 0);
    assert_int_equal(ps.sessions_held, 1);
    assert_int_equal(ps.sessions_planned, 1);
    bnd_store_read_end(st, txn);
    bn_arena_free(&arena);
    bnd_store_close(st);
    bnd_audit_report_init(&r, 1000);
    assert_int_equal(bnd_audit_offline(data, NULL, 0, &r), 0);
    assert_int_equal(r.nfindings_total, 0);
    bnd_audit_report_free(&r);
}

/* The mentor logs in with the fixture's profile. */
static void test_login(void **state)
{
    (void)state;
    char v[64], path[700];
    bn_msg m;

    assert_int_equal(open_server(), 0);
    memset(&W.mentor, 0, sizeof W.mentor);
    randombytes_buf(W.mentor.ch.hash, sizeof W.mentor.ch.hash);
    bnd_session_init(&W.mentor.s, 1, &W.mentor.ch, on_reply, NULL, &W.mentor);
    W.mentor.next_id = 1;
    W.mentor.id = bn_identity_new();
    assert_non_null(W.mentor.id);
    snprintf(path, sizeof path, "%s/mentor/identity.key", fixture);
    assert_int_equal(bn_identity_load(W.mentor.id, path, "test passphrase",
                                      strlen("test passphrase")),
                     0);
    conf_get("mentor/profile.conf", "account", v, sizeof v);
    W.mentor.account = strtoull(v, NULL, 10);
    bn_msg_init(&m, BN_MSG_LOGIN, 0);
    m.u.login.account_id = W.mentor.account;
    assert_int_equal(
        bn_login_sign(m.u.login.sig, &W.mentor.ch, W.mentor.id->sign_sk), 0);
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.type, BN_MSG_LOGGED_IN);
}

static int member_key(void *ctx, uint64_t author, uint8_t pk[32])
{
    const bn_pair_detail *d = ctx;
    for (uint32_t i = 0; i < d->members.len; i++)
        if (d->members.v[i].account_id == author) {
            memcpy(pk, d->members.v[i].sign_pk, 32);
            return 0;
        }
    return BN_ENOTFOUND;
}

/* The log is served as it was signed (version 1, 152 bytes), verifies,
 * and ends at the pair's head; new fields have their defaults. */
static void test_log_and_defaults(void **state)
{
    (void)state;
    bn_log_entry e[16];
    uint8_t zero[32] = {0}, head[32];
    bn_msg m;

    assert_int_equal(pair_get(&W.mentor, pair_id), 0);
    bn_pair_detail d = W.mentor.rep.u.pair_detail;
    bn_msg keep = W.mentor.rep; /* d points into it */
    W.mentor.rep.arena = NULL;
    assert_int_equal(d.accepts.len, 2);
    assert_memory_equal(d.accepts.v[0].members_hash, zero, 32);
    assert_int_equal(d.wraps.len, 2);
    assert_memory_equal(d.wraps.v[1].key_id, zero, 32);
    bn_msg_init(&m, BN_MSG_LOG_GET, 0);
    m.u.log_get.pair_id = pair_id;
    assert_int_equal(call(&W.mentor, &m), 0);
    const bn_log *l = &W.mentor.rep.u.log;
    assert_int_equal(l->entries.len, d.log_seq);
    assert_true(l->entries.len >= 8 && l->entries.len <= 16);
    for (uint32_t i = 0; i < l->entries.len; i++) {
        assert_int_equal(l->entries.v[i].entry.len, BN_LOG_ENTRY_V1_BYTES);
        assert_int_equal(bn_log_entry_decode(&e[i], l->entries.v[i].entry.ptr,
                                             l->entries.v[i].entry.len),
                         0);
        assert_int_equal(e[i].version, 1);
    }
    assert_int_equal(bn_log_verify(pair_id, e, l->entries.len, zero, member_key,
                                   &d, head, NULL),
                     0);
    assert_memory_equal(head, d.log_head, 32);
    bn_msg_free(&keep);
}

/* Sessions took their entry's seq as id; N1 follows its session. */
static void test_sessions_renumbered(void **state)
{
    (void)state;
    bn_msg m;
    uint64_t held = 0;

    bn_msg_init(&m, BN_MSG_SESSION_LIST, 0);
    m.u.session_list.pair_id = pair_id;
    assert_int_equal(call(&W.mentor, &m), 0);
    const bn_sessions *s = &W.mentor.rep.u.sessions;
    assert_int_equal(s->items.len, 2);
    assert_int_equal(s->items.v[0].id, 3);
    assert_int_equal(s->items.v[1].id, 4);
    for (uint32_t i = 0; i < 2; i++)
        if (s->items.v[i].status == BN_SESSION_HELD)
            held = s->items.v[i].id;
    assert_int_equal(held, 3);
    for (uint32_t rev = 1; rev <= 2; rev++) {
        assert_int_equal(note_get(&W.mentor, pair_id, note_n1, rev), 0);
        assert_int_equal(W.mentor.rep.u.note.meta.session_id, held);
    }
    /* the document's final hash, computed from its stored final chunk */
    bn_msg_init(&m, BN_MSG_DOC_LIST, 0);
    m.u.doc_list.pair_id = pair_id;
    assert_int_equal(call(&W.mentor, &m), 0);
    assert_int_equal(W.mentor.rep.u.docs.items.len, 1);
    bn_doc_meta dm = W.mentor.rep.u.docs.items.v[0];
    uint8_t want[32], got[32];
    memcpy(got, dm.final_hash, 32);
    bn_msg_init(&m, BN_MSG_DOC_READ, 0);
    m.u.doc_read.pair_id = pair_id;
    m.u.doc_read.doc_id = dm.doc_id;
    m.u.doc_read.index = dm.chunks - 1;
    assert_int_equal(call(&W.mentor, &m), 0);
    bn_hash(want, W.mentor.rep.u.doc_data.data.ptr,
            W.mentor.rep.u.doc_data.data.len);
    assert_memory_equal(got, want, 32);
}

/* A new write signs a version 2 entry on the old chain; its session's id
 * is its seq. */
static void test_write_after(void **state)
{
    (void)state;
    uint64_t seq = 0;
    uint8_t head[32];
    assert_int_equal(log_head(&W.mentor, pair_id, &seq, head), 0);
    assert_int_equal(
        session_add(&W.mentor, pair_id, bn_date_today(), BN_SESSION_HELD, 0),
        0);
    assert_int_equal(W.mentor.rep.u.session.session.id, seq + 1);
}

BN_UNIT_GROUP(srv_upgrade);
