/*
 * bnc_audit.c: the auditor's live audit (AUDIT_GET): the server walks its
 * own storage and searches the canaries in its ciphertext fields; this
 * sends the request and copies the report into bnc_audit_report, after
 * checking that it answers exactly the canaries sent.
 */
#include "bnc_internal.h"

#include <stdlib.h>
#include <string.h>

void bnc_audit_report_free(bnc_audit_report *r)
{
    if (r == NULL)
        return;
    free(r->found);
    free(r->findings);
    free(r->fields);
    free(r);
}

/* report_copy copies a decoded AUDIT_REPORT into *out (allocated). */
static int report_copy(const bn_audit_report *a, bnc_audit_report **out)
{
    bnc_audit_report *r = calloc(1, sizeof *r);

    if (r == NULL)
        return BN_ENOMEM;
    bnc__project_audit_report(r, a);
    r->truncated = a->truncated ? 1 : 0;
    r->found = calloc(a->found.len + 1, 1);
    r->findings = calloc((size_t)a->findings.len + 1, sizeof *r->findings);
    r->fields = calloc((size_t)a->fields.len + 1, sizeof *r->fields);
    if (r->found == NULL || r->findings == NULL || r->fields == NULL) {
        bnc_audit_report_free(r);
        return BN_ENOMEM;
    }
    if (a->found.len > 0)
        memcpy(r->found, a->found.ptr, a->found.len);
    r->nfound = a->found.len;
    for (uint32_t i = 0; i < a->findings.len; i++)
        bnc__project_audit_finding(&r->findings[i], &a->findings.v[i]);
    r->nfindings = a->findings.len;
    for (uint32_t i = 0; i < a->fields.len; i++)
        bnc__project_audit_field(&r->fields[i], &a->fields.v[i]);
    r->nfields = a->fields.len;
    *out = r;
    return 0;
}

int bnc_audit(bnc_client *c, const bnc_canary *canaries, size_t n,
              bnc_audit_report **out)
{
    struct bn_audit_canary v[BN_AUDIT_CANARIES_MAX];
    bn_msg req, rep = {0};
    int rc;

    *out = NULL;
    if (n > BN_AUDIT_CANARIES_MAX || (n > 0 && canaries == NULL))
        return BN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (bnc_audit_canary_check(canaries[i].text, canaries[i].len) != 0)
            return BN_EINVAL;
        v[i].bytes = (bn_bin){(const uint8_t *)canaries[i].text,
                              (uint32_t)canaries[i].len};
    }
    bn_msg_init(&req, BN_MSG_AUDIT_GET, 0);
    req.u.audit_get.canaries.v = v;
    req.u.audit_get.canaries.len = (uint32_t)n;
    rc = bnc_call(c->conn, &req, &rep);
    if (rc == 0 && rep.type != BN_MSG_AUDIT_REPORT)
        rc = BN_EPROTO;
    /* One answer per canary sent, each 0 or 1: else the reply is not one
     * this client asked for. */
    if (rc == 0 && rep.u.audit_report.found.len != n)
        rc = BN_EPROTO;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (rep.u.audit_report.found.ptr[i] > 1)
            rc = BN_EPROTO;
    if (rc == 0)
        rc = report_copy(&rep.u.audit_report, out);
    bn_msg_free(&rep);
    return rc;
}
