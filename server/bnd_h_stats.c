/* Statistics handlers: being written (see the helper working on stats). */
#include "bnd_handlers.h"

int bnd_h_stats_get(bnd_ctx *cx, const bn_msg *req)
{
    (void)cx;
    (void)req;
    return BN_EUNKNOWNMSG;
}

int bnd_h_stats_pairs_get(bnd_ctx *cx, const bn_msg *req)
{
    (void)cx;
    (void)req;
    return BN_EUNKNOWNMSG;
}
