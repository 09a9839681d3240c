/*
 * The event loop cnet runs on. This is the one place that knows the host.
 *
 * Node: the host's libuv loop and the host's libuv functions.
 * Bun and Deno: their Node-API hosts have a libuv loop without networking
 * (Bun's has stubs; Deno's has only async, check, idle, poll and timer
 * handles), so cnet runs a private libuv loop (libuv.so.1 loaded at run time)
 * embedded in the host's: a watcher thread sleeps in poll() on the private
 * loop's backend fd and wakes the JS thread with a uv_async_t of the host
 * loop, whose callback runs the private loop once; where the host has prepare
 * handles (Bun) one runs it before the host blocks, so work queued from JS is
 * registered; a second uv_async_t (the kick) does the same when a JS call left
 * deferred work. The host async handle is ref'ed exactly while the private
 * loop is alive, so unref() and process exit behave as on Node.
 */
#ifndef CN_LOOP_H
#define CN_LOOP_H

#include <node_api.h>
#include <uv.h>

typedef struct cn_loop_driver cn_loop_driver;

/* Sets *loop (and *driver, NULL on Node); returns 0 or -1 with *error set. */
int cn_loop_acquire(napi_env env, uv_loop_t **loop, cn_loop_driver **driver, const char **error);

/* After JS started or stopped work on the loop: keeps the host's ref in step. */
void cn_loop_sync(cn_loop_driver *driver);

/* Runs the private loop without blocking (teardown uses it to finish closes). */
void cn_loop_run_once(cn_loop_driver *driver);

/* Stops the watcher and releases the private loop; its handles must be closed. */
void cn_loop_release(cn_loop_driver *driver);

#endif
