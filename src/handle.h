/*
 * A native stream handle (TCP or pipe) and its JS wrapper object.
 *
 * Ownership: the cn_handle is owned by its libuv handle. It is allocated by
 * the JS constructor, holds a strong reference to its JS object while open
 * (so garbage collection can never free memory libuv still uses), and is
 * freed in exactly one place: cn_handle_on_close, after uv_close completes.
 * After that the JS object is unwrapped and its methods return UV_EBADF.
 */
#ifndef CN_HANDLE_H
#define CN_HANDLE_H

#include "env.h"
#include "uv_api.h"

typedef enum { CN_KIND_TCP = 1, CN_KIND_PIPE = 2 } cn_kind;

typedef struct cn_handle {
  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } uv;
  uv_connect_t connect_req;
  uv_shutdown_t shutdown_req;
  cn_env *cenv;
  napi_ref self;
  napi_async_context async;
  cn_kind kind;
  int closing;
  double id;       /* see handle_ids.h; -1 once closing */
  int connecting;  /* connect_req is in flight and must not be reused */
  char *bound_path;  /* a socket file bound by cnet, not libuv (pipe.c): removed at close */
  int keepalive_on_open;  /* setKeepAlive(true) came before the socket existed (sockopt.h) */
  /* The `onread` option: reads land in this caller's buffer, kept alive by user_buffer_ref. */
  napi_ref user_buffer_ref;
  char *user_buffer;
  size_t user_buffer_len;
  /* Small writes not yet given to the socket (coalesce.h) */
  char *batch;
  size_t batch_len;
  int batch_error;   /* a flush failed; reported by the next flush of all batches */
  int batch_listed;  /* on cn_env.batched */
  unsigned batch_turn;  /* cn_env.turn when this turn's first write went out */
  struct cn_handle *batch_prev, *batch_next;
  struct cn_tls *tls;  /* TLS on this stream (tls.h), or NULL */
  struct cn_handle *prev, *next;  /* cn_env.handles */
} cn_handle;

/* Arguments of a method call on a handle; h is NULL once the handle is closed. */
typedef struct {
  napi_env env;
  cn_handle *h;
  napi_value self;
  size_t argc;
  napi_value argv[5];
} cn_call;

void cn_call_init(napi_env env, napi_callback_info info, cn_call *call);

/* Returns `result` to JS after an operation that may start or stop loop work. */
static inline napi_value cn_synced(cn_handle *h, int result) {
  napi_value v;
  cn_loop_sync(h->cenv->driver);
  napi_create_int32(h->cenv->env, result, &v);
  return v;
}

/* Calls JS callback `which` with this = handle object, inside a callback scope.
 * The caller must have opened a handle scope. Returns -1 if JS was not called
 * (the environment is going away). */
int cn_handle_emit(cn_handle *h, enum cn_callback which, size_t argc, napi_value *argv);

/* Emits `which` with one status argument, opening its own handle scope. */
void cn_handle_emit_status(cn_handle *h, enum cn_callback which, int status);

/* Creates a new, unconnected handle object of the given kind (used by accept). */
napi_value cn_handle_new(cn_env *cenv, cn_kind kind, cn_handle **out);

napi_value cn_handle_define_class(napi_env env, cn_env *cenv);

/* Starts uv_close once; the handle is freed in its close callback. */
void cn_handle_start_close(cn_handle *h);

/* Closes every handle still open: env teardown (process exit, worker end). */
void cn_handle_close_all(cn_env *cenv);

#endif
