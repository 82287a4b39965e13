/*
 * bnd_session.c: a session's references (bnd_session.h): the owner's,
 * and one per request queued for it, so that a connection that goes
 * while a request is in flight is freed only when that request is done.
 */
#include "bnd_session.h"

#include <string.h>

void bnd_session_init(bnd_session *s, uint64_t conn_id, const bn_channel *ch,
                      bnd_reply_fn reply, bnd_release_fn release, void *user)
{
    memset(s, 0, sizeof *s);
    s->conn_id = conn_id;
    s->ch = ch;
    s->reply = reply;
    s->release = release;
    s->user = user;
    s->refs = 1;
}

void bnd_session_ref(bnd_session *s)
{
    s->refs++;
}

void bnd_session_unref(bnd_session *s)
{
    if (--s->refs == 0 && s->release != NULL)
        s->release(s);
}
