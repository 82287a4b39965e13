/*
 * test_srv_audit: the auditor's walk over the store (bnd_audit.c), through
 * the live AUDIT_GET and directly in a read transaction: a clean store of
 * notes, an objective, documents (an empty one too) and wraps passes; a
 * plaintext note planted into LMDB, a malformed envelope, a reused nonce,
 * records that do not decode, keys of the wrong width and an unknown
 * database are found, each naming its database and key (hex); an erased
 * pair's emptied objectives are fine.
 *
 * `BN_PLANT_DIR=DIR unit_runner --tool plant` (bn_unit_tool_plant) does
 * something else: it plants a plaintext note (BN_PLANT_TEXT, or English
 * prose) into the stopped daemon's data directory DIR, prints the record's
 * key in hex and exits (tests/integration/audit.sh uses it).
 */
#include "test_srv_world.h"
#include "test_list.h"

#include "bnd_audit.h"
#include "bnd_handlers.h"

static const char prose[] =
    "We met at the library on Tuesday afternoon and spent most of the hour "
    "on her application to the engineering school. She had written a first "
    "draft of the personal statement, which was honest but too modest: she "
    "described the robotics club as something she merely attended, when in "
    "fact she had organised the regional competition and found the "
    "sponsors. We agreed she would rewrite the second paragraph.";

static tclient auditor, auditor2;
static uint8_t *first_env; /* the first note's envelope */
static size_t first_len;

/* ---- planting records straight into LMDB ----------------------------------
 */

typedef struct plant {
    enum bnd_db db;
    MDB_dbi dbi; /* BN_PLANT_DIR mode */
    uint8_t key[32];
    size_t klen;
    const uint8_t *val;
    size_t vlen;
    int del;
} plant;

static int plant_write(MDB_txn *txn, void *arg)
{
    bnd_store *st = W.srv ? W.srv->store : NULL;
    plant *p = arg;
    MDB_val k = {p->klen, p->key}, v = {p->vlen, (void *)p->val};
    MDB_dbi db = bnd_store_dbi(st, p->db);
    if (p->del)
        return bnd_mdb_err(mdb_del(txn, db, &k, NULL));
    return bnd_mdb_err(mdb_put(txn, db, &k, &v, 0));
}

static void put_raw(plant *p)
{
    p->del = 0;
    assert_int_equal(bnd_store_write(W.srv->store, plant_write, p), 0);
}

static void del_raw(plant *p)
{
    p->del = 1;
    assert_int_equal(bnd_store_write(W.srv->store, plant_write, p), 0);
}

/* env_record encodes a rec_note_env holding env into *out (bn_buf). */
static void env_record(bn_buf *out, const uint8_t *env, size_t len)
{
    bn_rec_note_env r;
    memset(&r, 0, sizeof r);
    r.envelope = (bn_bin){env, (uint32_t)len};
    bn_buf_init(out);
    assert_int_equal(bn_struct_encode(out, &bn_desc_rec_note_env, &r), 0);
}

/* fake_env makes text look like an envelope: version 1, epoch 1, a random
 * nonce, then the text and 64 bytes of it again where a signature goes. */
static uint8_t *fake_env(const char *text, size_t *len)
{
    size_t n = strlen(text);
    uint8_t *e = malloc(BN_ENVELOPE_HEADER_BYTES + n + 64);
    assert_non_null(e);
    e[0] = BN_ENVELOPE_VERSION;
    bn_put_be32(e + 1, 1);
    randombytes_buf(e + 5, BN_NONCE_BYTES);
    memcpy(e + BN_ENVELOPE_HEADER_BYTES, text, n);
    memcpy(e + BN_ENVELOPE_HEADER_BYTES + n, text, 64);
    *len = BN_ENVELOPE_HEADER_BYTES + n + 64;
    return e;
}

static void note_key(plant *p, uint64_t pair, uint64_t note, uint32_t rev)
{
    memset(p, 0, sizeof *p);
    p->db = BND_DB_NOTE_ENVS;
    bnd_key k = bnd_key_note_envs(pair, note, rev);
    memcpy(p->key, k.b, k.len);
    p->klen = k.len;
}

static void hex_of(char *out, const plant *p)
{
    bn_hex_encode(out, p->key, p->klen);
}

/* ---- audits ---------------------------------------------------------------
 */

/* audit_raw sends AUDIT_GET as who with n canaries of any bytes (lens[i]
 * bytes each): 0 or the ERROR reply's code. */
static int audit_raw(tclient *who, const uint8_t *const *canaries,
                     const size_t *lens, size_t n)
{
    bn_audit_canary c[BN_AUDIT_CANARIES_MAX];
    bn_msg m;
    assert_true(n <= BN_AUDIT_CANARIES_MAX);
    for (size_t i = 0; i < n; i++)
        c[i].bytes = (bn_bin){canaries[i], (uint32_t)lens[i]};
    bn_msg_init(&m, BN_MSG_AUDIT_GET, 0);
    m.u.audit_get.canaries.v = c;
    m.u.audit_get.canaries.len = (uint32_t)n;
    return call(who, &m);
}

/* audit_as sends AUDIT_GET as who with n text canaries: 0 or the code. */
static int audit_as(tclient *who, const char *const *canaries, size_t n)
{
    const uint8_t *p[BN_AUDIT_CANARIES_MAX];
    size_t lens[BN_AUDIT_CANARIES_MAX];
    assert_true(n <= BN_AUDIT_CANARIES_MAX);
    for (size_t i = 0; i < n; i++) {
        p[i] = (const uint8_t *)canaries[i];
        lens[i] = strlen(canaries[i]);
    }
    return audit_raw(who, p, lens, n);
}

/* audit_live sends AUDIT_GET as the auditor with canaries (n of them); the
 * reply holds one found byte per canary. */
static const bn_audit_report *audit_live(const char *const *canaries, size_t n)
{
    assert_int_equal(audit_as(&auditor, canaries, n), 0);
    assert_int_equal(auditor.rep.type, BN_MSG_AUDIT_REPORT);
    assert_int_equal(auditor.rep.u.audit_report.found.len, n);
    return &auditor.rep.u.audit_report;
}

/* audit_direct runs bnd_audit_store in a read transaction of the daemon. */
static void audit_direct(bnd_audit_report *r)
{
    MDB_txn *txn;
    bnd_audit_dbs dbs;
    bnd_audit_report_init(r, 0);
    bnd_audit_dbs_of_store(&dbs, W.srv->store);
    assert_int_equal(bnd_store_read_begin(W.srv->store, &txn), 0);
    assert_int_equal(bnd_audit_store(txn, &dbs, r), 0);
    bnd_store_read_end(W.srv->store, txn);
}

/* has_finding: 1 when the live report holds (code, db, record). */
static int has_finding(const bn_audit_report *r, const char *code,
                       const char *db, const char *record)
{
    for (uint32_t i = 0; i < r->findings.len; i++) {
        const struct bn_audit_finding *f = &r->findings.v[i];
        if (strcmp(f->code.ptr, code) == 0 && strcmp(f->db.ptr, db) == 0 &&
            strncmp(f->record.ptr, record, strlen(record)) == 0)
            return 1;
    }
    return 0;
}

static void print_findings(const bn_audit_report *r)
{
    for (uint32_t i = 0; i < r->findings.len; i++)
        print_message("finding %s %s %s: %s\n", r->findings.v[i].code.ptr,
                      r->findings.v[i].db.ptr, r->findings.v[i].record.ptr,
                      r->findings.v[i].detail.ptr);
}

/* assert_clean: both audits find nothing. */
static void assert_clean(void)
{
    bnd_audit_report d;
    const bn_audit_report *r = audit_live(NULL, 0);
    print_findings(r);
    assert_int_equal(r->findings.len, 0);
    assert_false(r->truncated);
    audit_direct(&d);
    assert_int_equal(d.nfindings_total, 0);
    bnd_audit_report_free(&d);
}

/* ---- the world's content ---------------------------------------------------
 */

static uint8_t *seal_kind(tclient *c, uint64_t pair, const uint8_t key[32],
                          uint64_t id, uint8_t kind, const void *pt, size_t n,
                          size_t *len)
{
    bn_note_ad ad = {pair, id, 1, c->account, kind, 0, 0};
    uint8_t *env = NULL;
    assert_int_equal(
        bn_envelope_seal(&env, len, key, 1, &ad, pt, n, c->id->sign_sk), 0);
    return env;
}

static int objective_add(tclient *c, uint64_t pair, uint64_t id,
                         const char *text)
{
    size_t len;
    uint8_t *env = seal_kind(c, pair, W.pair_key, id, BN_AD_KIND_OBJECTIVE,
                             text, strlen(text), &len);
    bn_msg m;
    bn_msg_init(&m, BN_MSG_OBJECTIVE_ADD, 0);
    m.u.objective_add.pair_id = pair;
    m.u.objective_add.objective_id = id;
    m.u.objective_add.epoch = 1;
    m.u.objective_add.envelope = (bn_bin){env, (uint32_t)len};
    m.u.objective_add.date = bn_date_today();
    int rc = call_logged(c, &m, pair);
    free(env);
    return rc;
}

/* doc_put uploads a document of len bytes (0: one empty final chunk). */
static void doc_put(tclient *c, uint64_t id, size_t len)
{
    static uint8_t pt[3000], chunk[3000 + BN_DOC_CHUNK_OVERHEAD];
    uint8_t key[32], header[BN_DOC_STREAM_HEADER_BYTES];
    bn_doc_stream st;
    size_t klen, hlen;
    bn_msg m;

    assert_true(len <= sizeof pt);
    randombytes_buf(pt, len);
    bn_doc_key_generate(key);
    assert_int_equal(bn_doc_push_init(&st, header, key), 0);
    uint8_t *kenv = seal_kind(c, W.pair_a, W.pair_key, id, BN_AD_KIND_DOC_KEY,
                              key, 32, &klen);
    uint8_t *henv = seal_kind(c, W.pair_a, key, id, BN_AD_KIND_DOC_HEADER,
                              "report.pdf", 10, &hlen);
    bn_msg_init(&m, BN_MSG_DOC_BEGIN, 0);
    m.u.doc_begin.pair_id = W.pair_a;
    m.u.doc_begin.doc_id = id;
    m.u.doc_begin.epoch = 1;
    m.u.doc_begin.key_env = (bn_bin){kenv, (uint32_t)klen};
    m.u.doc_begin.header_env = (bn_bin){henv, (uint32_t)hlen};
    memcpy(m.u.doc_begin.stream_header, header, sizeof header);
    assert_int_equal(call(c, &m), 0);
    assert_int_equal(bn_doc_push(&st, chunk, id, pt, len, 1), 0);
    bn_msg_init(&m, BN_MSG_DOC_CHUNK, 0);
    m.u.doc_chunk.pair_id = W.pair_a;
    m.u.doc_chunk.doc_id = id;
    m.u.doc_chunk.index = 0;
    m.u.doc_chunk.data =
        (bn_bin){chunk, (uint32_t)(len + BN_DOC_CHUNK_OVERHEAD)};
    m.u.doc_chunk.final = 1;
    assert_int_equal(call_logged(c, &m, W.pair_a), 0);
    free(kenv);
    free(henv);
    bn_doc_stream_wipe(&st);
}

static int local_setup(void **state)
{
    int rc = setup(state);
    if (rc != 0)
        return rc;
    activate(W.pair_a, &W.mentor, &W.mentee);
    first_env =
        seal(&W.mentor, W.pair_a, 0x1001, 1, 0, "First session.", &first_len);
    assert_int_equal(
        note_put_env(&W.mentor, W.pair_a, 0x1001, 1, 0, first_env, first_len),
        0);
    assert_int_equal(note_put(&W.mentee, W.pair_a, 0x1002, 1, 1, prose), 0);
    assert_int_equal(objective_add(&W.mentee, W.pair_a, 0x2001, "Apply"), 0);
    doc_put(&W.mentor, 0x3001, 2500);
    doc_put(&W.mentor, 0x3002, 0); /* an empty file: one 17-byte chunk */
    join_as(&auditor, 0, BN_ROLE_AUDITOR, "Audrey");
    join_as(&auditor2, 0, BN_ROLE_AUDITOR, "Basile");
    /* Back-to-back canary audits here; test_rate_limit sets the interval */
    W.srv->cfg.audit_interval_ms = 0;
    return 0;
}

static int local_teardown(void **state)
{
    free(first_env);
    client_free(&auditor);
    client_free(&auditor2);
    return teardown(state);
}

/* ---- tests ------------------------------------------------------------------
 */

/* What the world wrote through the API audits clean, live and directly;
 * the report counts every ciphertext and says which fields are which. */
static void test_clean(void **state)
{
    (void)state;
    assert_clean();
    const bn_audit_report *r = audit_live(NULL, 0);
    /* 2 notes, 1 objective, 2 wraps, 2 x (key, header, one chunk) */
    assert_int_equal(r->envelopes, 11);
    assert_int_equal(r->found.len, 0);
    int env = 0, wrap = 0, name = 0;
    for (uint32_t i = 0; i < r->fields.len; i++) {
        const struct bn_audit_field *f = &r->fields.v[i];
        if (strcmp(f->db.ptr, "note_envs") == 0 &&
            strcmp(f->field.ptr, "envelope") == 0)
            env = strcmp(f->kind.ptr, "ciphertext") == 0;
        if (strcmp(f->db.ptr, "wraps") == 0 &&
            strcmp(f->field.ptr, "wrap") == 0)
            wrap = strcmp(f->kind.ptr, "ciphertext") == 0;
        if (strcmp(f->db.ptr, "accounts") == 0 &&
            strcmp(f->field.ptr, "name") == 0)
            name = strcmp(f->kind.ptr, "clear") == 0;
        /* SECURITY.md's table gives a reason for every stored field. */
        if (bnd_audit_schema_why(f->db.ptr, f->field.ptr) == NULL)
            fail_msg("no reason for %s.%s", f->db.ptr, f->field.ptr);
        assert_string_not_equal(f->kind.ptr, "unknown");
    }
    assert_true(env && wrap && name);
}

/* Only auditors may audit the live server. */
static void test_roles(void **state)
{
    bn_msg m;
    (void)state;
    bn_msg_init(&m, BN_MSG_AUDIT_GET, 0);
    assert_int_equal(call(&W.admin, &m), BN_EDENIED);
    assert_int_equal(call(&W.mentor, &m), BN_EDENIED);
}

/* plant_canary stores, as note revision (0x1001, rev) of pair A, an
 * envelope of random bytes with text inside: well formed and random
 * enough to raise no finding, so only the canary search can see it. */
static void plant_canary(plant *p, bn_buf *b, uint8_t *e, size_t len,
                         uint32_t rev, const char *text)
{
    e[0] = BN_ENVELOPE_VERSION;
    bn_put_be32(e + 1, 1);
    randombytes_buf(e + 5, len - 5);
    memcpy(e + len / 2, text, strlen(text));
    assert_int_equal(bn_envelope_check(e, len), 0);
    env_record(b, e, len);
    note_key(p, W.pair_a, 0x1001, rev);
    p->val = b->data;
    p->vlen = b->len;
    put_raw(p);
}

/* A canary written through the client is not found (it is ciphertext);
 * one planted in clear inside a stored ciphertext field is, and the reply
 * says only that: no finding, no database, record or offset. A canary in
 * a file of the data directory or in a clear field (the programme's
 * charter) is not searched: not found. */
static void test_canaries(void **state)
{
    const char *canary[] = {
        "We met at the library on Tuesday", /* the mentee's note, sealed */
        "zebra-canary-7f3a-glowworm-0042",  /* planted below */
        "We meet monthly.",                 /* programme 1's charter, clear */
        "Main programme / Marc / Mina",     /* not stored anywhere */
    };
    static uint8_t e[1200];
    char path[128];
    bn_buf b;
    plant p;
    (void)state;
    const bn_audit_report *r = audit_live(canary, 4);
    assert_int_equal(r->findings.len, 0);
    assert_memory_equal(r->found.ptr, "\0\0\0\0", 4);

    /* In a file of the data directory: the offline audit's, not this. */
    snprintf(path, sizeof path, "%s/stray.txt", W.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "left behind: %s\n", canary[1]);
    fclose(f);
    r = audit_live(canary, 4);
    assert_int_equal(r->findings.len, 0);
    assert_memory_equal(r->found.ptr, "\0\0\0\0", 4);
    assert_int_equal(remove(path), 0);

    /* In clear, inside a stored note revision. */
    plant_canary(&p, &b, e, sizeof e, 7, canary[1]);
    r = audit_live(canary, 4);
    print_findings(r);
    assert_memory_equal(r->found.ptr, "\0\1\0\0", 4);
    assert_int_equal(r->findings.len, 0); /* nothing names the record */
    assert_false(r->truncated);
    del_raw(&p);
    bn_buf_free(&b);
    assert_memory_equal(audit_live(canary, 4)->found.ptr, "\0\0\0\0", 4);
    assert_clean();
}

/* The oracle of old: server.key's bytes, grown from a known prefix. Short
 * or binary canaries are refused before any search; hex of the key (or a
 * 16-byte window of the file's ASCII) is not found, since only stored
 * ciphertext is searched; too many canaries are refused. */
static void test_oracle(void **state)
{
    uint8_t key[512];
    char hex[2 * sizeof key + 1], path[128];
    const uint8_t *p[BN_AUDIT_CANARIES_MAX];
    size_t lens[BN_AUDIT_CANARIES_MAX], klen;
    (void)state;

    snprintf(path, sizeof path, "%s/server.key", W.dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    klen = fread(key, 1, sizeof key, f);
    fclose(f);
    assert_true(klen >= 64);

    /* Growing a prefix: 1, 2, 3, 4 bytes ("B", "BN", "BND", "BNDK"), then
     * every value of the next byte: all refused, the first as the rest. */
    for (size_t n = 1; n < BN_AUDIT_CANARY_MIN; n++) {
        p[0] = key;
        lens[0] = n;
        assert_int_equal(audit_raw(&auditor, p, lens, 1), BN_EINVAL);
    }
    static uint8_t guess[BN_AUDIT_CANARY_MIN];
    for (unsigned v = 0; v < 256; v += 17) {
        memcpy(guess, key, sizeof guess - 1);
        guess[sizeof guess - 1] = (uint8_t)v;
        p[0] = guess;
        lens[0] = sizeof guess;
        assert_int_equal(audit_raw(&auditor, p, lens, 1), BN_EINVAL);
    }
    /* Raw windows of the key file, 16 to 64 bytes: binary, refused. */
    for (size_t off = 0; off + 64 <= klen; off += 16) {
        p[0] = key + off;
        lens[0] = 16 + off % 49;
        assert_int_equal(audit_raw(&auditor, p, lens, 1), BN_EINVAL);
    }
    /* A printable canary of 15 bytes, one with a newline, one with a
     * byte past ASCII; 257 bytes cannot even be encoded. */
    const char *bad[] = {"fifteen-bytes!!", "sixteen bytes\nok",
                         "r\xc3\xa9union du mardi soir"};
    for (size_t i = 0; i < 3; i++) {
        p[0] = (const uint8_t *)bad[i];
        lens[0] = strlen(bad[i]);
        assert_int_equal(audit_raw(&auditor, p, lens, 1), BN_EINVAL);
        assert_non_null(
            strstr(auditor.rep.u.error.message.ptr, "16 to 256 printable"));
    }
    static uint8_t long_one[BN_AUDIT_CANARY_MAX + 1];
    memset(long_one, 'x', sizeof long_one);
    assert_int_equal(bn_audit_canary_check(long_one, sizeof long_one - 1), 0);
    assert_int_equal(bn_audit_canary_check(long_one, sizeof long_one),
                     BN_EINVAL);
    assert_int_equal(bn_audit_canary_check(long_one, BN_AUDIT_CANARY_MIN), 0);
    /* A good canary beside a bad one: the whole request is refused. */
    p[0] = (const uint8_t *)"a-perfectly-good-canary-0001";
    lens[0] = strlen((const char *)p[0]);
    p[1] = key;
    lens[1] = 3;
    assert_int_equal(audit_raw(&auditor, p, lens, 2), BN_EINVAL);

    /* Hex of the key file, in 16- to 64-character windows: not found. */
    bn_hex_encode(hex, key, klen);
    size_t n = 0;
    for (size_t off = 0; off + 64 <= 2 * klen && n < 16; off += 20, n++) {
        p[n] = (const uint8_t *)hex + off;
        lens[n] = 16 + (off * 7) % 49;
    }
    assert_int_equal(audit_raw(&auditor, p, lens, n), 0);
    assert_int_equal(auditor.rep.u.audit_report.found.len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(auditor.rep.u.audit_report.found.ptr[i], 0);
    assert_int_equal(auditor.rep.u.audit_report.findings.len, 0);

    /* More than audit_canaries_max (16 by default) in one request. */
    for (size_t i = 0; i < 17; i++) {
        p[i] = (const uint8_t *)hex + i;
        lens[i] = 32;
    }
    assert_int_equal(audit_raw(&auditor, p, lens, 17), BN_ECOUNT);
}

/* One audit with canaries per auditor per interval: a second one too soon
 * is refused (BN_ELIMIT) and costs nothing else: the same auditor may
 * still audit without canaries, another auditor may search, members are
 * served; once the interval has passed the first auditor may search
 * again. */
static void test_rate_limit(void **state)
{
    const char *canary[] = {"rate-limit-canary-0001-zq7"};
    bn_msg m;
    (void)state;

    W.srv->cfg.audit_interval_ms = 60000;
    audit_live(canary, 1);
    assert_int_equal(audit_as(&auditor, canary, 1), BN_ELIMIT);
    assert_non_null(
        strstr(auditor.rep.u.error.message.ptr, "audit_canary_interval_s"));
    assert_int_equal(audit_as(&auditor, canary, 1), BN_ELIMIT);
    audit_live(NULL, 0); /* a plain audit searches nothing: not limited */
    assert_int_equal(audit_as(&auditor2, canary, 1), 0);
    assert_int_equal(audit_as(&auditor2, canary, 1), BN_ELIMIT);
    bn_msg_init(&m, BN_MSG_PAIR_LIST, 0);
    assert_int_equal(call(&W.mentor, &m), 0);
    /* The interval passes (the gate's clock moved back by a minute). */
    for (size_t i = 0; i < BND_AUDIT_GATE_MAX; i++)
        if (W.srv->audit_gate[i].account == auditor.account)
            W.srv->audit_gate[i].at_ms -= 60000;
    audit_live(canary, 1);
    assert_int_equal(audit_as(&auditor, canary, 1), BN_ELIMIT);
    /* A refused request (a short canary) does not take the turn. */
    for (size_t i = 0; i < BND_AUDIT_GATE_MAX; i++)
        if (W.srv->audit_gate[i].account == auditor.account)
            W.srv->audit_gate[i].at_ms -= 60000;
    const char *shorty[] = {"abc"};
    assert_int_equal(audit_as(&auditor, shorty, 1), BN_EINVAL);
    audit_live(canary, 1);
    W.srv->cfg.audit_interval_ms = 0;
}

/* English text with an envelope's header, planted as a note revision, is
 * not random: the finding names note_envs and the key. */
static void test_plaintext_note(void **state)
{
    char hex[2 * 20 + 1];
    size_t len;
    bn_buf b;
    plant p;
    (void)state;
    uint8_t *e = fake_env(prose, &len);
    assert_int_equal(bn_envelope_check(e, len), 0); /* it looks the part */
    env_record(&b, e, len);
    note_key(&p, W.pair_a, 0x1001, 2);
    p.val = b.data;
    p.vlen = b.len;
    put_raw(&p);
    hex_of(hex, &p);
    const bn_audit_report *r = audit_live(NULL, 0);
    print_findings(r);
    assert_int_equal(r->findings.len, 1);
    assert_true(has_finding(r, "not-random", "note_envs", hex));
    assert_string_equal(r->findings.v[0].record.ptr, hex);
    assert_non_null(strstr(r->findings.v[0].detail.ptr, "revision=2"));
    del_raw(&p);
    assert_clean();
    bn_buf_free(&b);
    free(e);
}

/* Bytes that are no envelope (too short, wrong version) are malformed. */
static void test_malformed(void **state)
{
    char hex[2 * 20 + 1];
    uint8_t junk[200];
    bn_buf b;
    plant p;
    (void)state;
    randombytes_buf(junk, sizeof junk);
    junk[0] = 7; /* no such version */
    env_record(&b, junk, sizeof junk);
    note_key(&p, W.pair_a, 0x1003, 1);
    p.val = b.data;
    p.vlen = b.len;
    put_raw(&p);
    hex_of(hex, &p);
    const bn_audit_report *r = audit_live(NULL, 0);
    assert_int_equal(r->findings.len, 1);
    assert_true(has_finding(r, "malformed", "note_envs", hex));
    bn_buf_free(&b);
    env_record(&b, junk, 20); /* too short */
    p.val = b.data;
    p.vlen = b.len;
    put_raw(&p);
    assert_true(
        has_finding(audit_live(NULL, 0), "malformed", "note_envs", hex));
    del_raw(&p);
    bn_buf_free(&b);
    assert_clean();
}

/* A real envelope given the first note's nonce is reuse, named with the
 * record that had it first. */
static void test_nonce_reuse(void **state)
{
    char hex[2 * 20 + 1];
    size_t len;
    bn_buf b;
    plant p;
    (void)state;
    uint8_t *e = seal(&W.mentor, W.pair_a, 0x1004, 1, 0, "Another note.", &len);
    memcpy(e + 5, first_env + 5, BN_NONCE_BYTES);
    env_record(&b, e, len);
    note_key(&p, W.pair_a, 0x1004, 1);
    p.val = b.data;
    p.vlen = b.len;
    put_raw(&p);
    hex_of(hex, &p);
    const bn_audit_report *r = audit_live(NULL, 0);
    print_findings(r);
    assert_int_equal(r->findings.len, 1);
    assert_true(has_finding(r, "nonce-reuse", "note_envs", hex));
    del_raw(&p);
    assert_clean();
    bn_buf_free(&b);
    free(e);
}

/* A value that does not decode with its database's description, a key of
 * the wrong width and a database binome does not know are schema
 * findings. */
static void test_schema(void **state)
{
    static const uint8_t garbage[] = {0x93, 0x01, 0xa3, 'a', 'b', 'c', 0x02};
    char hex[2 * 20 + 1];
    plant p;
    (void)state;
    memset(&p, 0, sizeof p);
    p.db = BND_DB_SESSIONS;
    bnd_key k = bnd_key_sessions(W.pair_a, 77);
    memcpy(p.key, k.b, k.len);
    p.klen = k.len;
    p.val = garbage;
    p.vlen = sizeof garbage;
    put_raw(&p);
    hex_of(hex, &p);
    const bn_audit_report *r = audit_live(NULL, 0);
    print_findings(r);
    assert_int_equal(r->findings.len, 1);
    assert_true(has_finding(r, "schema", "sessions", hex));
    assert_non_null(strstr(r->findings.v[0].detail.ptr, "rec_session"));
    del_raw(&p);

    /* a note revision under a 12-byte key */
    memset(&p, 0, sizeof p);
    p.db = BND_DB_NOTES;
    p.klen = 12;
    memset(p.key, 0xab, 12);
    p.val = garbage;
    p.vlen = sizeof garbage;
    put_raw(&p);
    r = audit_live(NULL, 0);
    assert_int_equal(r->findings.len, 1);
    assert_true(has_finding(r, "schema", "notes", "abababababababababababab"));
    assert_non_null(strstr(r->findings.v[0].detail.ptr, "12 bytes"));
    del_raw(&p);
    assert_clean();
}

static int extra_db(MDB_txn *txn, void *arg)
{
    MDB_dbi db;
    MDB_val k = {3, "key"}, v = {5, "value"};
    int rc = mdb_dbi_open(txn, "extra", MDB_CREATE, &db);
    if (rc == 0 && *(int *)arg)
        rc = mdb_drop(txn, db, 1);
    else if (rc == 0)
        rc = mdb_put(txn, db, &k, &v, 0);
    return bnd_mdb_err(rc);
}

static void test_unknown_db(void **state)
{
    int drop = 0;
    (void)state;
    assert_int_equal(bnd_store_write(W.srv->store, extra_db, &drop), 0);
    const bn_audit_report *r = audit_live(NULL, 0);
    assert_int_equal(r->findings.len, 1);
    assert_true(has_finding(r, "schema", "extra", ""));
    drop = 1;
    assert_int_equal(bnd_store_write(W.srv->store, extra_db, &drop), 0);
    assert_clean();
}

/* An erased pair keeps its objectives with an empty envelope: fine. An
 * active pair's empty objective is malformed. */
static void test_erased_pair(void **state)
{
    (void)state;
    activate(W.pair_b, &W.mentor2, &W.mentee2);
    assert_int_equal(objective_add(&W.mentor2, W.pair_b, 0x4001, "Read"), 0);
    assert_int_equal(note_put(&W.mentor2, W.pair_b, 0x4002, 1, 0, "Bye"), 0);
    assert_clean();
    assert_int_equal(pair_end(&W.mentor2, W.pair_b, BN_END_COMPLETED), 0);
    assert_int_equal(erase_both(&W.mentor2, &W.mentee2, W.pair_b), 0);
    assert_clean();

    bn_rec_objective o;
    bn_buf b;
    plant p;
    memset(&o, 0, sizeof o);
    o.id = 0x2002;
    o.pair_id = W.pair_a;
    o.epoch = 1;
    o.status = 1;
    bn_buf_init(&b);
    assert_int_equal(bn_struct_encode(&b, &bn_desc_rec_objective, &o), 0);
    memset(&p, 0, sizeof p);
    p.db = BND_DB_OBJECTIVES;
    bnd_key k = bnd_key_objectives(W.pair_a, 0x2002);
    memcpy(p.key, k.b, k.len);
    p.klen = k.len;
    p.val = b.data;
    p.vlen = b.len;
    put_raw(&p);
    char hex[2 * 16 + 1];
    hex_of(hex, &p);
    assert_true(
        has_finding(audit_live(NULL, 0), "malformed", "objectives", hex));
    del_raw(&p);
    bn_buf_free(&b);
    assert_clean();
}

/* ---- BN_PLANT_DIR: plant a plaintext note into a stopped daemon's data ----
 */

static int plant_offline(MDB_txn *txn, void *arg)
{
    plant *p = arg;
    MDB_val k = {p->klen, p->key}, v = {p->vlen, (void *)p->val};
    return bnd_mdb_err(mdb_put(txn, p->dbi, &k, &v, 0));
}

/* The tool `unit_runner --tool plant`: plants the note in BN_PLANT_DIR and
 * prints its key; returns the exit status. */
int bn_unit_tool_plant(int argc, char **argv)
{
    const char *dir = getenv("BN_PLANT_DIR");
    const char *text = getenv("BN_PLANT_TEXT");
    bnd_store_opts opts = {0, 0, 0, 0};
    bnd_store *st = NULL;
    char hex[2 * 20 + 1];
    size_t len;
    bn_buf b;
    plant p;
    char buf[1024];

    if (argc != 1 || dir == NULL) {
        fprintf(stderr, "usage: BN_PLANT_DIR=DIR unit_runner --tool plant\n");
        return 2;
    }
    (void)argv;
    if (bn_crypto_init() != 0)
        return 1;
    snprintf(buf, sizeof buf, "%s %s", text ? text : "", prose);
    uint8_t *e = fake_env(buf, &len);
    env_record(&b, e, len);
    note_key(&p, 1, 0x706c616e74656421ull, 1); /* "planted!" */
    p.val = b.data;
    p.vlen = b.len;
    int rc = bnd_store_open(&st, dir, &opts);
    if (rc == 0) {
        p.dbi = bnd_store_dbi(st, BND_DB_NOTE_ENVS);
        rc = bnd_store_write(st, plant_offline, &p);
    }
    bnd_store_close(st);
    bn_buf_free(&b);
    free(e);
    if (rc != 0) {
        fprintf(stderr, "test_srv_audit: cannot plant in %s: %s\n", dir,
                bn_strerror(rc));
        return 1;
    }
    hex_of(hex, &p);
    printf("%s\n", hex);
    return 0;
}

BN_UNIT_GROUP(srv_audit);
