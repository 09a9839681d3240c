#include "handle.h"
#include "coalesce.h"
#include "fd.h"
#include "napi_util.h"
#include "pipe.h"
#include "sockopt.h"
#include "stream.h"
#include "tcp.h"
#include "tls.h"

#include <stdlib.h>
#include <unistd.h>

void cn_call_init(napi_env env, napi_callback_info info, cn_call *call) {
  void *data = NULL;
  call->env = env;
  call->argc = sizeof call->argv / sizeof call->argv[0];
  call->h = NULL;
  if (napi_get_cb_info(env, info, &call->argc, call->argv, &call->self, NULL) != napi_ok) {
    call->argc = 0;
    return;
  }
  if (napi_unwrap(env, call->self, &data) == napi_ok && data != NULL) {
    cn_handle *h = data;
    if (!h->closing) call->h = h;
  }
}

int cn_handle_emit(cn_handle *h, enum cn_callback which, size_t argc, napi_value *argv) {
  napi_env env = h->cenv->env;
  napi_value recv, fn, result;
  napi_status status;
  size_t i;
  if (h->cenv->tearing_down) return -1;
  for (i = 0; i < argc; i++) {
    if (argv[i] == NULL) return -1; /* a value Node-API failed to create */
  }
  if (napi_get_reference_value(env, h->self, &recv) != napi_ok || recv == NULL) return -1;
  if (napi_get_reference_value(env, h->cenv->callbacks[which], &fn) != napi_ok || fn == NULL) return -1;
  cn_coalesce_enter(h->cenv);
  status = napi_make_callback(env, h->async, recv, fn, argc, argv, &result);
  if (status == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  cn_coalesce_leave(h->cenv);
  /* A callback that threw did run; any other failure means JS got nothing. */
  return status == napi_ok || status == napi_pending_exception ? 0 : -1;
}

void cn_handle_emit_status(cn_handle *h, enum cn_callback which, int status) {
  napi_env env = h->cenv->env;
  napi_handle_scope scope;
  napi_value arg;
  /* Teardown cancels queued writes and connects: nothing to tell JS, and Deno
   * has no handle scope for the value then. */
  if (h->cenv->tearing_down) return;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  arg = cn_int(env, status);
  cn_handle_emit(h, which, 1, &arg);
  napi_close_handle_scope(env, scope);
}

static void cn_handle_link(cn_handle *h) {
  cn_env *cenv = h->cenv;
  h->prev = NULL;
  h->next = cenv->handles;
  if (cenv->handles) cenv->handles->prev = h;
  cenv->handles = h;
}

static void cn_handle_unlink(cn_handle *h) {
  cn_env *cenv = h->cenv;
  if (h->prev) h->prev->next = h->next; else cenv->handles = h->next;
  if (h->next) h->next->prev = h->prev;
}

/* The one place a cn_handle is freed. */
static void cn_handle_on_close(uv_handle_t *uvh) {
  cn_handle *h = uvh->data;
  cn_env *cenv = h->cenv;
  napi_env env = cenv->env;
  napi_handle_scope scope;

  cn_handle_unlink(h);
  if (!cenv->tearing_down) {
    napi_value self;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      cn_handle_emit(h, CN_ON_CLOSE, 0, NULL);
      if (napi_get_reference_value(env, h->self, &self) == napi_ok && self != NULL) {
        void *unused;
        napi_remove_wrap(env, self, &unused);
      }
      napi_close_handle_scope(env, scope);
    }
  }
  if (h->user_buffer_ref) napi_delete_reference(env, h->user_buffer_ref);
  cn_tls_free(h);
  free(h->batch);
  napi_delete_reference(env, h->self);
  /* A private loop's teardown runs in the env's exit hook, where Deno has no
   * handle scope and aborts on the V8 handles async_destroy makes; the env's
   * async contexts go with it. */
  if (!(cenv->tearing_down && cenv->driver)) napi_async_destroy(env, h->async);
  free(h->bound_path);
  free(h);

  cn_env_teardown_step(cenv);
}

/* From here on no JS call reaches the handle: methods see EBADF, ids find nothing. */
static void cn_handle_mark_closing(cn_handle *h) {
  h->closing = 1;
  cn_handle_ids_remove(&h->cenv->ids, h);
}

void cn_handle_start_close(cn_handle *h) {
  if (h->closing) return;
  /* Bytes write() accepted go out before the FIN, as they would have without a batch. */
  cn_coalesce_drop(h);
  cn_handle_mark_closing(h);
  /* Removed when the close starts, as libuv removes the files it bound. */
  if (h->bound_path) unlink(h->bound_path);
  cn_uv.close(&h->uv.handle, cn_handle_on_close);
}

/* TCP only: close with RST instead of FIN; same close callback and ownership. */
static int cn_handle_start_reset(cn_handle *h) {
  int err;
  if (h->closing) return 0;
  if (h->kind != CN_KIND_TCP) return UV_EINVAL;
  cn_coalesce_drop(h);
  err = cn_uv.tcp_close_reset(&h->uv.tcp, cn_handle_on_close);
  if (err == 0) cn_handle_mark_closing(h);
  return err;
}

void cn_handle_close_all(cn_env *cenv) {
  cn_handle *h = cenv->handles;
  while (h) {
    cn_handle *next = h->next;
    cn_handle_start_close(h);
    h = next;
  }
}

/* The JS side of a new handle: async context, wrap, id and the strong
 * reference kept while open. Undone by the caller on failure (nothing of it
 * needs libuv, so no close is involved). */
static napi_status cn_handle_attach(napi_env env, cn_handle *h, napi_value self) {
  napi_value name, id;
  napi_status status;
  status = napi_create_string_utf8(env, h->kind == CN_KIND_TCP ? "TCPWRAP" : "PIPEWRAP",
                                   NAPI_AUTO_LENGTH, &name);
  if (status != napi_ok) return status;
  if ((status = napi_async_init(env, self, name, &h->async)) != napi_ok) return status;
  if ((status = napi_create_double(env, h->id, &id)) != napi_ok ||
      (status = napi_set_named_property(env, self, "id", id)) != napi_ok ||
      (status = napi_wrap(env, self, h, NULL, NULL, NULL)) != napi_ok) {
    napi_async_destroy(env, h->async);
    return status;
  }
  if ((status = napi_create_reference(env, self, 1, &h->self)) != napi_ok) {
    void *unused;
    napi_remove_wrap(env, self, &unused);
    napi_async_destroy(env, h->async);
  }
  return status;
}

static void cn_handle_detach(napi_env env, cn_handle *h, napi_value self) {
  void *unused;
  napi_delete_reference(env, h->self);
  napi_remove_wrap(env, self, &unused);
  napi_async_destroy(env, h->async);
}

/* new Handle(kind) */
static napi_value cn_handle_construct(napi_env env, napi_callback_info info) {
  napi_value argv[1], self;
  size_t argc = 1;
  int32_t kind = 0;
  cn_env *cenv = cn_env_get(env);
  cn_handle *h;
  int err;

  if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok || cenv == NULL) return NULL;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &kind) != napi_ok ||
      (kind != CN_KIND_TCP && kind != CN_KIND_PIPE)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "handle kind must be 1 (TCP) or 2 (pipe)");
    return NULL;
  }
  h = calloc(1, sizeof *h);
  if (h == NULL) {
    napi_throw_error(env, "ERR_MEMORY_ALLOCATION_FAILED", "out of memory");
    return NULL;
  }
  h->cenv = cenv;
  h->kind = kind;
  err = cn_handle_ids_add(&cenv->ids, h);
  if (err) {
    free(h);
    napi_throw_error(env, cn_uv.err_name(err), cn_uv.strerror(err));
    return NULL;
  }
  if (cn_handle_attach(env, h, self) != napi_ok) {
    cn_handle_ids_remove(&cenv->ids, h);
    free(h);
    napi_throw_error(env, "ERR_CNET_NAPI", "cannot attach a native handle to its object");
    return NULL;
  }
  /* libuv last: once initialised, the handle can only be freed by a close. */
  err = kind == CN_KIND_TCP ? cn_tcp_init(h) : cn_pipe_init(h);
  if (err) {
    cn_handle_detach(env, h, self);
    cn_handle_ids_remove(&cenv->ids, h);
    free(h);
    napi_throw_error(env, cn_uv.err_name(err), cn_uv.strerror(err));
    return NULL;
  }
  h->uv.handle.data = h;
  cn_handle_link(h);
  return self;
}

napi_value cn_handle_new(cn_env *cenv, cn_kind kind, cn_handle **out) {
  napi_env env = cenv->env;
  napi_value ctor, obj, arg = cn_int(env, kind);
  void *data = NULL;
  *out = NULL;
  if (arg == NULL) return NULL;
  if (napi_get_reference_value(env, cenv->handle_ctor, &ctor) != napi_ok) return NULL;
  if (napi_new_instance(env, ctor, 1, &arg, &obj) != napi_ok) return NULL;
  if (napi_unwrap(env, obj, &data) != napi_ok) return NULL;
  *out = data;
  return obj;
}

static napi_value cn_handle_close(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_call_init(env, info, &c);
  if (c.h) {
    cn_handle_start_close(c.h);
    cn_loop_sync(c.h->cenv->driver);
  }
  return NULL;
}

static napi_value cn_handle_reset(napi_env env, napi_callback_info info) {
  cn_call c;
  int err = UV_EBADF;
  cn_call_init(env, info, &c);
  if (c.h) {
    err = cn_handle_start_reset(c.h);
    cn_loop_sync(c.h->cenv->driver);
  }
  return cn_int(env, err);
}

static napi_value cn_handle_set_ref(napi_env env, napi_callback_info info, int on) {
  cn_call c;
  cn_call_init(env, info, &c);
  if (c.h) {
    if (on) cn_uv.ref(&c.h->uv.handle);
    else cn_uv.unref(&c.h->uv.handle);
    cn_loop_sync(c.h->cenv->driver);
  }
  return NULL;
}

static napi_value cn_handle_ref(napi_env env, napi_callback_info info) {
  return cn_handle_set_ref(env, info, 1);
}

static napi_value cn_handle_unref(napi_env env, napi_callback_info info) {
  return cn_handle_set_ref(env, info, 0);
}

static napi_value cn_handle_has_ref(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_call_init(env, info, &c);
  return cn_bool(env, c.h && cn_uv.has_ref(&c.h->uv.handle));
}

static napi_value cn_handle_fileno(napi_env env, napi_callback_info info) {
  cn_call c;
  uv_os_fd_t fd = -1;
  cn_call_init(env, info, &c);
  if (c.h == NULL || cn_uv.fileno(&c.h->uv.handle, &fd) != 0) return cn_int(env, -1);
  return cn_int(env, fd);
}

/* Writable and configurable, as the methods of Node's own handles are:
 * instrumentation (APM agents) and Node's tests wrap them by assignment. */
/* asyncIdOf(executionAsyncId): the async id of the handle's own context,
 * read by calling the given function inside that context. */
static napi_value cn_handle_async_id_of(napi_env env, napi_callback_info info) {
  cn_call c;
  napi_callback_scope scope;
  napi_value global, result = NULL;
  cn_call_init(env, info, &c);
  if (c.h == NULL || c.argc < 1) return NULL;
  if (napi_get_global(env, &global) != napi_ok ||
      napi_open_callback_scope(env, c.self, c.h->async, &scope) != napi_ok)
    return NULL;
  if (napi_call_function(env, global, c.argv[0], 0, NULL, &result) != napi_ok) result = NULL;
  if (napi_close_callback_scope(env, scope) != napi_ok) return NULL;
  return result;
}

#define CN_METHOD(name, fn) { name, NULL, fn, NULL, NULL, NULL, napi_writable | napi_configurable, NULL }

napi_value cn_handle_define_class(napi_env env, cn_env *cenv) {
  static const napi_property_descriptor methods[] = {
    CN_METHOD("close", cn_handle_close),
    CN_METHOD("reset", cn_handle_reset),
    CN_METHOD("ref", cn_handle_ref),
    CN_METHOD("unref", cn_handle_unref),
    CN_METHOD("hasRef", cn_handle_has_ref),
    CN_METHOD("fileno", cn_handle_fileno),
    CN_METHOD("asyncIdOf", cn_handle_async_id_of),
    CN_METHOD("open", cn_fd_open),
    CN_METHOD("readStart", cn_stream_read_start),
    CN_METHOD("readStop", cn_stream_read_stop),
    CN_METHOD("useUserBuffer", cn_stream_use_user_buffer),
    CN_METHOD("writev", cn_stream_writev),
    CN_METHOD("shutdown", cn_stream_shutdown),
    CN_METHOD("flush", cn_stream_flush),
    CN_METHOD("listen", cn_stream_listen),
    CN_METHOD("writeQueueSize", cn_stream_write_queue_size),
    CN_METHOD("bind", cn_tcp_bind),
    CN_METHOD("connect", cn_tcp_connect),
    CN_METHOD("setNoDelay", cn_tcp_set_no_delay),
    CN_METHOD("setKeepAlive", cn_sockopt_set_keep_alive),
    CN_METHOD("setTypeOfService", cn_sockopt_set_type_of_service),
    CN_METHOD("getTypeOfService", cn_sockopt_get_type_of_service),
    CN_METHOD("getsockname", cn_tcp_getsockname),
    CN_METHOD("getpeername", cn_tcp_getpeername),
    CN_METHOD("bindPath", cn_pipe_bind),
    CN_METHOD("connectPath", cn_pipe_connect),
    CN_METHOD("chmod", cn_pipe_chmod),
    CN_METHOD("getsocknamePath", cn_pipe_getsockname),
    CN_METHOD("getpeernamePath", cn_pipe_getpeername),
    CN_METHOD("tlsStart", cn_tls_start),
    CN_METHOD("tlsCycle", cn_tls_cycle_method),
    CN_METHOD("tlsQuery", cn_tls_query),
  };
  napi_value ctor;
  if (napi_define_class(env, "Handle", NAPI_AUTO_LENGTH, cn_handle_construct, NULL,
                        sizeof methods / sizeof methods[0], methods, &ctor) != napi_ok ||
      napi_create_reference(env, ctor, 1, &cenv->handle_ctor) != napi_ok)
    return NULL;
  return ctor;
}
