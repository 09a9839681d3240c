#include "handle_ids.h"
#include "handle.h"

#include <stdlib.h>

#define CN_NO_SLOT UINT32_MAX
/* id = generation * CN_SLOT_SPAN + slot, exact in a double up to 2^53. */
#define CN_SLOT_BITS 22
#define CN_SLOT_SPAN ((double)(1u << CN_SLOT_BITS))
#define CN_MAX_SLOTS (1u << CN_SLOT_BITS)
#define CN_MAX_GENERATION (1u << 30)

/* Only called with no slot free: the new slots become the whole free list. */
static int cn_handle_ids_grow(cn_handle_ids *ids) {
  uint32_t count = ids->count ? ids->count * 2 : 64;
  cn_handle_slot *slots;
  uint32_t i;
  if (count > CN_MAX_SLOTS) count = CN_MAX_SLOTS;
  if (count == ids->count) return UV_ENOMEM;
  slots = realloc(ids->slots, count * sizeof *slots);
  if (slots == NULL) return UV_ENOMEM;
  for (i = ids->count; i < count; i++) {
    slots[i].h = NULL;
    slots[i].generation = 0;
    slots[i].next_free = i + 1 < count ? i + 1 : CN_NO_SLOT;
  }
  ids->free_head = ids->count;
  ids->slots = slots;
  ids->count = count;
  return 0;
}

int cn_handle_ids_add(cn_handle_ids *ids, cn_handle *h) {
  cn_handle_slot *slot;
  uint32_t index;
  if ((ids->count == 0 || ids->free_head == CN_NO_SLOT) && cn_handle_ids_grow(ids) != 0) return UV_ENOMEM;
  index = ids->free_head;
  slot = &ids->slots[index];
  ids->free_head = slot->next_free;
  slot->h = h;
  h->id = (double)slot->generation * CN_SLOT_SPAN + index;
  return 0;
}

void cn_handle_ids_remove(cn_handle_ids *ids, cn_handle *h) {
  uint32_t index;
  if (h->id < 0) return;
  index = (uint32_t)((uint64_t)h->id & (CN_MAX_SLOTS - 1));
  ids->slots[index].h = NULL;
  ids->slots[index].generation = (ids->slots[index].generation + 1) % CN_MAX_GENERATION;
  ids->slots[index].next_free = ids->free_head;
  ids->free_head = index;
  h->id = -1;
}

cn_handle *cn_handle_ids_find(cn_handle_ids *ids, napi_env env, napi_value id) {
  double value;
  uint64_t bits;
  cn_handle *h;
  if (napi_get_value_double(env, id, &value) != napi_ok || !(value >= 0) || value >= 9007199254740992.0) return NULL;
  bits = (uint64_t)value;
  if ((double)bits != value || (bits & (CN_MAX_SLOTS - 1)) >= ids->count) return NULL;
  h = ids->slots[bits & (CN_MAX_SLOTS - 1)].h;
  return h != NULL && h->id == value ? h : NULL;
}

void cn_handle_ids_free(cn_handle_ids *ids) {
  free(ids->slots);
  ids->slots = NULL;
  ids->count = 0;
}
