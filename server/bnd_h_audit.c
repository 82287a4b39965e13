/*
 * bnd_h_audit.c: AUDIT_GET, the auditor's check of the live server. The
 * same walk as `binomed audit` (bnd_audit_store) runs in the request's
 * read transaction; the reply carries the counts, the schema and the
 * first findings (truncated says when there were more).
 *
 * The request's canaries are searched in the ciphertext fields of the
 * stored records only (every note, objective, document and key envelope,
 * document chunk and wrap: where a canary written through the client
 * lands if the client failed to encrypt it), never in a file, a clear
 * field or a key; the answer is one bit per canary. Each canary is
 * BN_AUDIT_CANARY_MIN to _MAX printable bytes, at most
 * cfg.audit_canaries_max of them, and an
 * auditor account gets one such search per cfg.audit_interval_ms: the
 * search is no oracle over the server's files (server.key among them),
 * and too slow and too coarse to test guesses of anything. Searching
 * files is the offline audit's, run by whoever already holds them.
 */
#include "bnd_audit.h"
#include "bnd_handlers.h"
#include "bnd_log.h"

#include <inttypes.h>
#include <string.h>

/* reply_findings copies the report's findings and fields into the
 * context's memory (the report is freed before the reply is encoded). */
static int reply_findings(bnd_ctx *cx, const bnd_audit_report *r)
{
    bn_audit_report *out = &cx->rep->u.audit_report;
    size_t nf = r->nfindings < BN_PAGE_MAX ? r->nfindings : BN_PAGE_MAX;
    size_t nd = r->nfields < BN_PAGE_MAX ? r->nfields : BN_PAGE_MAX;
    bnd_audit_finding *fcopy = NULL;
    bnd_audit_field *dcopy = NULL;

    out->findings.v =
        bnd_ctx_alloc(cx, (nf ? nf : 1) * sizeof *out->findings.v);
    out->fields.v = bnd_ctx_alloc(cx, (nd ? nd : 1) * sizeof *out->fields.v);
    fcopy = bnd_ctx_alloc(cx, (nf ? nf : 1) * sizeof *fcopy);
    dcopy = bnd_ctx_alloc(cx, (nd ? nd : 1) * sizeof *dcopy);
    if (out->findings.v == NULL || out->fields.v == NULL || fcopy == NULL ||
        dcopy == NULL)
        return BN_ENOMEM;
    if (nf > 0)
        memcpy(fcopy, r->findings, nf * sizeof *fcopy);
    if (nd > 0)
        memcpy(dcopy, r->fields, nd * sizeof *dcopy);
#define STR(s) ((bn_str){(s), (uint32_t)strlen(s)})
    for (size_t i = 0; i < nf; i++) {
        out->findings.v[i].code = STR(fcopy[i].code);
        out->findings.v[i].db = STR(fcopy[i].db);
        out->findings.v[i].record = STR(fcopy[i].record);
        out->findings.v[i].detail = STR(fcopy[i].detail);
    }
    for (size_t i = 0; i < nd; i++) {
        out->fields.v[i].db = STR(dcopy[i].db);
        out->fields.v[i].field = STR(dcopy[i].field);
        out->fields.v[i].kind = STR(dcopy[i].kind);
    }
#undef STR
    out->findings.len = (uint32_t)nf;
    out->fields.len = (uint32_t)nd;
    out->truncated = r->truncated || nf < r->nfindings_total;
    return 0;
}

/*
 * audit_gate lets account run a canary search at now_ms when its last one
 * is at least the configured interval old, and records now_ms: 0, or
 * BN_ELIMIT (too soon, or the table is full of auditors who searched
 * within the interval: refused rather than forgotten).
 */
static int audit_gate(bnd_server *srv, uint64_t account, uint64_t now_ms)
{
    uint64_t interval = srv->cfg.audit_interval_ms;
    size_t free_slot = BND_AUDIT_GATE_MAX;

    if (interval == 0)
        return 0;
    for (size_t i = 0; i < BND_AUDIT_GATE_MAX; i++) {
        int stale = srv->audit_gate[i].account == 0 ||
                    now_ms - srv->audit_gate[i].at_ms >= interval;
        if (srv->audit_gate[i].account == account) {
            if (!stale)
                return BN_ELIMIT;
            srv->audit_gate[i].at_ms = now_ms;
            return 0;
        }
        if (stale && free_slot == BND_AUDIT_GATE_MAX)
            free_slot = i;
    }
    if (free_slot == BND_AUDIT_GATE_MAX)
        return BN_ELIMIT;
    srv->audit_gate[free_slot].account = account;
    srv->audit_gate[free_slot].at_ms = now_ms;
    return 0;
}

/* check_canaries fills c from the request: BN_ECOUNT past the configured
 * cap, BN_EINVAL for a canary that bn_audit_canary_check refuses. */
static int check_canaries(const bnd_server *srv, const bn_audit_get *g,
                          bnd_audit_canary *c, const char **errmsg)
{
    if (g->canaries.len > srv->cfg.audit_canaries_max ||
        g->canaries.len > BN_AUDIT_CANARIES_MAX) {
        *errmsg = "too many canaries for one audit (binomed.conf "
                  "audit_canaries_max, " BN_STRINGIFY(
                      BND_AUDIT_CANARIES_DEFAULT) " by default)";
        return BN_ECOUNT;
    }
    for (uint32_t i = 0; i < g->canaries.len; i++) {
        const bn_bin *b = &g->canaries.v[i].bytes;
        if (bn_audit_canary_check(b->ptr, b->len) != 0) {
            *errmsg = "a canary is " BN_STRINGIFY(
                BN_AUDIT_CANARY_MIN) " to " BN_STRINGIFY(BN_AUDIT_CANARY_MAX) " "
                                                                              "printable ASCII characters: a shorter "
                                                                              "one could be guessed";
            return BN_EINVAL;
        }
        c[i].bytes = b->ptr;
        c[i].len = b->len;
    }
    return 0;
}

/*
 * Loop thread, before the audit is handed to the thread pool: the
 * canaries' count and form, then the auditor's interval (audit_gate
 * writes the server's table, which only the loop thread touches).
 */
int bnd_check_audit(bnd_server *srv, bnd_session *s, const bn_msg *req,
                    const char **errmsg)
{
    const bn_audit_get *g = &req->u.audit_get;
    bnd_audit_canary canaries[BN_AUDIT_CANARIES_MAX];
    int rc = check_canaries(srv, g, canaries, errmsg);

    if (rc == 0 && g->canaries.len > 0) {
        rc = audit_gate(srv, s->actor.account_id, uv_hrtime() / 1000000u);
        if (rc != 0)
            *errmsg = "one audit with canaries per auditor per "
                      "audit_canary_interval_s (binomed.conf, 60 s by "
                      "default); try again later";
    }
    if (rc != 0)
        bnd_log(BND_LOG_INFO, "audit",
                "account=%" PRIu64 " canaries=%" PRIu32
                " found=0 records=0 envelopes=0 findings=0 result=%s",
                s->actor.account_id, g->canaries.len, bn_err_name(rc));
    return rc;
}

/*
 * The audit itself, off the loop thread (the dispatcher's F_LATER: the
 * libuv thread pool), in the request's own read transaction, after
 * bnd_check_audit passed: on a big store it takes seconds, during which
 * the daemon serves every other request. The snapshot it reads keeps the
 * writer from reusing pages meanwhile (and a map growth waits for it).
 * It touches no state of the server but its configuration and store.
 */
int bnd_h_audit_get(bnd_ctx *cx, const bn_msg *req)
{
    const bn_audit_get *g = &req->u.audit_get;
    bnd_audit_canary canaries[BN_AUDIT_CANARIES_MAX];
    uint8_t *found = NULL;
    bnd_audit_report r;
    bnd_audit_dbs dbs;
    size_t n = g->canaries.len, nfound = 0;
    int rc;

    bnd_audit_report_init(&r, BN_PAGE_MAX);
    rc = check_canaries(cx->srv, g, canaries, &cx->errmsg);
    if (rc == 0 && (found = bnd_ctx_alloc(cx, n ? n : 1)) == NULL)
        rc = BN_ENOMEM;
    if (rc == 0) {
        bnd_audit_dbs_of_store(&dbs, cx->st);
        rc = bnd_audit_store_search(cx->txn, &dbs, canaries, n, found, &r);
    }
    if (rc == 0) {
        cx->rep->u.audit_report.records = r.records;
        cx->rep->u.audit_report.envelopes = r.envelopes;
        cx->rep->u.audit_report.cipher_bytes = r.cipher_bytes;
        cx->rep->u.audit_report.found = (bn_bin){found, (uint32_t)n};
        for (size_t i = 0; i < n; i++)
            nfound += found[i];
        rc = reply_findings(cx, &r);
    }
    bnd_log(BND_LOG_INFO, "audit",
            "account=%" PRIu64 " canaries=%zu found=%zu records=%" PRIu64
            " envelopes=%" PRIu64 " findings=%" PRIu64 " result=%s",
            cx->actor.account_id, n, nfound, r.records, r.envelopes,
            r.nfindings_total, rc == 0 ? "ok" : bn_err_name(rc));
    bnd_audit_report_free(&r);
    return rc;
}
