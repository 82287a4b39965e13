/*
 * bnd_h_audit.c: AUDIT_GET, the auditor's check of the live server. The
 * same walk as `binomed audit` (bnd_audit_store) runs in the request's
 * read transaction, then the canaries of the request are searched in
 * every file of the data directory; the reply carries the counts, the
 * schema and the first findings (truncated says when there were more).
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
 * The whole audit runs here, on the loop thread, in the request's read
 * transaction: on a big store it takes seconds, during which this daemon
 * answers no other request, and the snapshot it reads keeps the writer
 * from reusing pages (and a map growth waits for it). That is accepted
 * for a rare auditor request; moving it to the libuv thread pool needs a
 * deferred reply from the dispatcher (a read handler answers at once
 * today). The offline `binomed audit` does not stop the daemon at all.
 */
int bnd_h_audit_get(bnd_ctx *cx, const bn_msg *req)
{
    const bn_audit_get *g = &req->u.audit_get;
    bnd_audit_canary canaries[64];
    bnd_audit_report r;
    bnd_audit_dbs dbs;
    size_t n = g->canaries.len;
    int rc;

    if (n > sizeof canaries / sizeof canaries[0])
        return BN_ECOUNT;
    for (size_t i = 0; i < n; i++) {
        if (g->canaries.v[i].bytes.len == 0) {
            cx->errmsg = "a canary is 1 to 256 bytes";
            return BN_EINVAL;
        }
        canaries[i].bytes = g->canaries.v[i].bytes.ptr;
        canaries[i].len = g->canaries.v[i].bytes.len;
    }
    bnd_audit_report_init(&r, BN_PAGE_MAX);
    bnd_audit_dbs_of_store(&dbs, cx->st);
    rc = bnd_audit_store(cx->txn, &dbs, &r);
    if (rc == 0)
        rc = bnd_audit_scan_dir(&r, cx->srv->cfg.data_dir, canaries, n);
    if (rc == 0) {
        cx->rep->type = BN_MSG_AUDIT_REPORT;
        cx->rep->u.audit_report.records = r.records;
        cx->rep->u.audit_report.envelopes = r.envelopes;
        cx->rep->u.audit_report.cipher_bytes = r.cipher_bytes;
        cx->rep->u.audit_report.files = r.files;
        rc = reply_findings(cx, &r);
    }
    bnd_log(BND_LOG_INFO, "audit",
            "account=%" PRIu64 " canaries=%zu records=%" PRIu64
            " envelopes=%" PRIu64 " files=%" PRIu64 " findings=%" PRIu64
            " result=%s",
            cx->actor.account_id, n, r.records, r.envelopes, r.files,
            r.nfindings_total, rc == 0 ? "ok" : bn_err_name(rc));
    bnd_audit_report_free(&r);
    return rc;
}
