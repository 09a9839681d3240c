/*
 * Write coalescing: small writes made to one socket while JS runs (one event
 * handler with its ticks and promises, or one loop phase of timers and the
 * like) are copied into a per-handle batch and leave in one write(2).
 *
 * A write JS was told completed is in the batch until the batch is flushed:
 * right after the outermost native callback into JS returns, from host loop
 * hooks (prepare and check, so before the loop can sleep) for writes made
 * outside such callbacks, and before any other operation on the handle that
 * must come after the data or observes it (other writes, shutdown, close,
 * writeQueueSize). A flush error no JS call is waiting for is reported as
 * onwrite(status, true), which the socket turns into its 'error'.
 */
#ifndef CN_COALESCE_H
#define CN_COALESCE_H

#include "handle.h"

/* Largest batch, and so the most bytes accepted before a socket write. */
#define CN_BATCH_SIZE 16384

/* Host loop hooks of the env; 0 or a negative libuv error. */
int cn_coalesce_init(cn_env *cenv);
void cn_coalesce_release(cn_env *cenv);

/* The first write of a turn goes to the socket at once (the caller writes it),
 * so a socket already broken fails that write() as it would without batches;
 * once it went out whole, cn_coalesce_start opens the batch for the turn's
 * later writes. */
static inline int cn_coalesce_started(const cn_handle *h) { return h->batch_turn == h->cenv->turn; }
void cn_coalesce_start(cn_handle *h);

/* Room for len more bytes in h's batch, or NULL: then the caller flushes and
 * writes itself. The bytes count once cn_coalesce_commit says so. */
char *cn_coalesce_reserve(cn_handle *h, size_t len);
void cn_coalesce_commit(cn_handle *h, size_t len);

/* Writes h's batch now (from a JS call). Returns 0 or the error of the
 * write(2), which the caller reports; the batch is then dropped. */
int cn_coalesce_flush(cn_handle *h);

/* As cn_coalesce_flush, but a failure is reported later through onwrite. */
void cn_coalesce_flush_deferred(cn_handle *h);

/* The handle is closing: writes its batch as far as the socket takes it now. */
void cn_coalesce_drop(cn_handle *h);

/* Around each native callback into JS: the outermost one flushes every batch. */
static inline void cn_coalesce_enter(cn_env *cenv) { cenv->js_depth++; }
void cn_coalesce_leave(cn_env *cenv);

#endif
