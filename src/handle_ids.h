/*
 * Numeric ids for open handles. The hot calls from JS (writes) name their
 * handle by id instead of by its wrapped object: finding a handle by id is an
 * array index, while napi_unwrap is a private-property lookup that costs
 * hundreds of instructions per call. An id is never reused for another handle
 * (each slot carries a generation), so a stale id finds nothing.
 */
#ifndef CN_HANDLE_IDS_H
#define CN_HANDLE_IDS_H

#include <node_api.h>
#include <stdint.h>

struct cn_handle;

typedef struct cn_handle_slot {
  struct cn_handle *h;     /* NULL when free */
  uint32_t generation;
  uint32_t next_free;
} cn_handle_slot;

typedef struct cn_handle_ids {
  cn_handle_slot *slots;
  uint32_t count;
  uint32_t free_head;      /* CN_NO_SLOT when no slot is free */
} cn_handle_ids;

/* Gives h an id (h->id); returns 0 or UV_ENOMEM. */
int cn_handle_ids_add(cn_handle_ids *ids, struct cn_handle *h);

/* Ends h's id: from now on it finds nothing. */
void cn_handle_ids_remove(cn_handle_ids *ids, struct cn_handle *h);

/* The open handle a JS id names, or NULL. */
struct cn_handle *cn_handle_ids_find(cn_handle_ids *ids, napi_env env, napi_value id);

void cn_handle_ids_free(cn_handle_ids *ids);

#endif
