/* Live audit handler: being written (see the helper working on audit). */
#include "bnd_handlers.h"

int bnd_h_audit_get(bnd_ctx *cx, const bn_msg *req)
{
    (void)cx;
    (void)req;
    return BN_EUNKNOWNMSG;
}
