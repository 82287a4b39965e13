/* bnd_h_log.c: LOG_GET, a page of the pair's log for one of its members
 * (bnd_pairlog.c keeps the log; this only reads it). */
#include "bnd_handlers.h"

struct log_page {
    bn_log_item *items;
    uint32_t n;
};

static int log_item(bnd_ctx *cx, const MDB_val *k, const MDB_val *v, void *arg)
{
    struct log_page *lp = arg;
    bn_rec_log rec;
    (void)k;
    if (lp->n == BND_PAGE)
        return 1;
    int rc = bnd_rec_decode(v, &bn_desc_rec_log, &rec, &cx->arena);
    if (rc != 0)
        return rc;
    /* v1 entries of an upgraded store keep their own length */
    lp->items[lp->n++].entry = rec.entry;
    return 0;
}

/* LOG_GET: the pair's entries from from_seq (0 counts as 1) on, at most
 * BND_PAGE of them; more tells whether the log goes on. */
int bnd_h_log_get(bnd_ctx *cx, const bn_msg *req)
{
    const bn_log_get *r = &req->u.log_get;
    struct log_page lp = {NULL, 0};
    bn_rec_pair p;
    int rc;

    rc = bnd_member_pair(cx, r->pair_id, &p, NULL);
    if (rc != 0)
        return rc;
    lp.items = bnd_ctx_alloc(cx, BND_PAGE * sizeof *lp.items);
    if (lp.items == NULL)
        return BN_ENOMEM;
    rc = bnd_scan_key(cx, bnd_key_log(p.id, r->from_seq ? r->from_seq : 1), 1,
                      log_item, &lp);
    if (rc < 0)
        return rc;
    cx->rep->u.log.entries.v = lp.items;
    cx->rep->u.log.entries.len = lp.n;
    cx->rep->u.log.more = rc == 1;
    return 0;
}
