/*
 * bnd_ctx.c: a request's context (bnd_handlers.h): made before its
 * handler runs, on whichever thread runs it, with the memory the reply
 * points to, and freed after the reply is encoded.
 */
#include <stdlib.h>
#include <string.h>

#include "bnd_handlers.h"

struct bnd_ctx_block {
    bnd_ctx_block *next;
    max_align_t data[];
};

void *bnd_ctx_alloc(bnd_ctx *cx, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    bnd_ctx_block *b = calloc(1, sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->next = cx->mem;
    cx->mem = b;
    return b->data;
}

void bnd_ctx_init(bnd_ctx *cx, bnd_server *srv, const bnd_actor *actor,
                  bn_msg *rep, uint64_t id)
{
    memset(cx, 0, sizeof *cx);
    cx->srv = srv;
    cx->st = srv->store;
    cx->actor = *actor;
    cx->rep = rep;
    cx->now = bn_now();
    cx->today = bn_date_today();
    bn_msg_init(rep, BN_MSG_OK, id);
}

void bnd_ctx_free(bnd_ctx *cx)
{
    bn_arena_free(&cx->arena);
    while (cx->mem != NULL) {
        bnd_ctx_block *next = cx->mem->next;
        free(cx->mem);
        cx->mem = next;
    }
}
