/*
 * bnd_schema.c: the descriptions of the stored records (from
 * bnd_schema.h) that the store's codec and the audit walk use.
 */
#include <stddef.h>

#include "bnd_schema.h"

BND_RECS(BN_STRUCT_DESC)

#define BND__DESC_PTR(name) &bn_desc_##name,
const bn_struct_desc *const bnd_rec_descs[] = {BND_RECS(BND__DESC_PTR) NULL};
