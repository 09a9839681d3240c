/* Module entry: per-env state, JS callback registration, env teardown. */
#include "env.h"
#include "coalesce.h"
#include "errors.h"
#include "fd.h"
#include "handle.h"
#include "loop.h"
#include "napi_util.h"
#include "sockopt.h"
#include "stream.h"
#include "tcp.h"
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>

cn_env *cn_env_get(napi_env env) {
  void *data = NULL;
  return napi_get_instance_data(env, &data) == napi_ok ? data : NULL;
}

void cn_env_teardown_step(cn_env *cenv) {
  if (!cenv->tearing_down || cenv->handles != NULL || cenv->host_closing > 0 || cenv->cleanup_hook == NULL)
    return;
  napi_remove_async_cleanup_hook(cenv->cleanup_hook);
  cenv->cleanup_hook = NULL;
}

/* Env teardown on the host's loop: close what is still open; the hook is
 * removed once the handles and the host hooks have closed, which the host
 * loop runs later (cn_env_teardown_step). */
static void cn_env_on_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  cn_env *cenv = arg;
  cenv->tearing_down = 1;
  cn_coalesce_release(cenv);
  cn_handle_close_all(cenv);
  cn_env_teardown_step(cenv);
}

/* Env teardown with a private loop, which is ours to run: the closes finish
 * here, so a synchronous hook does. (An async hook removed from inside itself
 * is freed twice by Deno 2.9.) */
static void cn_env_on_exit(void *arg) {
  cn_env *cenv = arg;
  cenv->tearing_down = 1;
  cn_coalesce_release(cenv);
  if (cenv->handles) cn_handle_close_all(cenv);
  while (cenv->handles) cn_loop_run_once(cenv->driver);
  cn_loop_release(cenv->driver);
  cenv->driver = NULL;
}

static napi_status cn_env_add_teardown(napi_env env, cn_env *cenv) {
  if (cenv->driver) return napi_add_env_cleanup_hook(env, cn_env_on_exit, cenv);
  return napi_add_async_cleanup_hook(env, cn_env_on_teardown, cenv, &cenv->cleanup_hook);
}

static void cn_env_free(napi_env env, void *data, void *hint) {
  cn_env *cenv = data;
  int i;
  if (cenv->handle_ctor) napi_delete_reference(env, cenv->handle_ctor);
  for (i = 0; i < CN_CALLBACK_COUNT; i++) {
    if (cenv->callbacks[i]) napi_delete_reference(env, cenv->callbacks[i]);
  }
  cn_read_pool_free(env, &cenv->read_pool);
  cn_handle_ids_free(&cenv->ids);
  cn_tls_env_free(cenv);
  free(cenv->read_buffer);
  free(cenv);
}

/* The property names of setCallbacks' argument, in enum cn_callback order. */
static const char *const cn_callback_names[CN_CALLBACK_COUNT] = {
  [CN_ON_READ] = "onread",
  [CN_ON_CONNECTION] = "onconnection",
  [CN_ON_CONNECT] = "onconnect",
  [CN_ON_WRITE] = "onwrite",
  [CN_ON_SHUTDOWN] = "onshutdown",
  [CN_ON_CLOSE] = "onclose",
  [CN_ON_TLS] = "ontls",
};

/* setCallbacks({ onread, onconnection, onconnect, onwrite, onshutdown, onclose }) */
static napi_value cn_set_callbacks(napi_env env, napi_callback_info info) {
  napi_value argv[1], fns[CN_CALLBACK_COUNT];
  napi_ref refs[CN_CALLBACK_COUNT] = { NULL };
  size_t argc = 1;
  cn_env *cenv = cn_env_get(env);
  int i;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || cenv == NULL) return NULL;
  for (i = 0; i < CN_CALLBACK_COUNT; i++) {
    napi_valuetype type = napi_undefined;
    if (argc < 1 || napi_get_named_property(env, argv[0], cn_callback_names[i], &fns[i]) != napi_ok ||
        napi_typeof(env, fns[i], &type) != napi_ok || type != napi_function) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setCallbacks expects an object of functions");
      return NULL;
    }
  }
  for (i = 0; i < CN_CALLBACK_COUNT; i++) {
    if (napi_create_reference(env, fns[i], 1, &refs[i]) != napi_ok) {
      while (i-- > 0) napi_delete_reference(env, refs[i]);
      napi_throw_error(env, "ERR_CNET_NAPI", "cannot keep the event callbacks");
      return NULL;
    }
  }
  for (i = 0; i < CN_CALLBACK_COUNT; i++) {
    if (cenv->callbacks[i]) napi_delete_reference(env, cenv->callbacks[i]);
    cenv->callbacks[i] = refs[i];
  }
  return NULL;
}

/* The module's constants and functions; napi_ok or the first failure. */
static napi_status cn_export_all(napi_env env, napi_value exports, cn_env *cenv) {
  const struct { const char *name; int value; } constants[] = {
    { "TCP", CN_KIND_TCP },
    { "PIPE", CN_KIND_PIPE },
    { "UV_EOF", UV_EOF },
    { "UV_ETIMEDOUT", UV_ETIMEDOUT },
    { "UV_EINVAL", UV_EINVAL },
    { "UV_EBADF", UV_EBADF },
    { "UV_READABLE", UV_READABLE },
    { "UV_WRITABLE", UV_WRITABLE },
    { "TCP_IPV6ONLY", CN_TCP_IPV6ONLY },
    { "TCP_REUSEPORT", CN_TCP_REUSEPORT },
  };
  napi_value ctor = cn_handle_define_class(env, cenv);
  napi_value read_state;
  napi_status status = cn_set(env, exports, "Handle", ctor);
  size_t i;
  if (status == napi_ok && cn_read_pool_init(env, &cenv->read_pool, &read_state) != 0) status = napi_generic_failure;
  if (status == napi_ok) status = cn_set(env, exports, "readState", read_state);
  for (i = 0; status == napi_ok && i < sizeof constants / sizeof constants[0]; i++) {
    status = cn_set(env, exports, constants[i].name, cn_int(env, constants[i].value));
  }
  if (status == napi_ok) status = cn_set(env, exports, "privateLoop", cn_bool(env, cenv->driver != NULL));
  if (status == napi_ok) status = cn_export_fn(env, exports, "setCallbacks", cn_set_callbacks);
  if (status == napi_ok) status = cn_export_fn_with(env, exports, "writeBuffer", cn_stream_write_buffer, cenv);
  if (status == napi_ok) status = cn_export_fn_with(env, exports, "writeUtf8", cn_stream_write_string, cenv);
  if (status == napi_ok) status = cn_export_fn_with(env, exports, "coalesceBuffer", cn_stream_coalesce_buffer, cenv);
  if (status == napi_ok) status = cn_export_fn_with(env, exports, "coalesceUtf8", cn_stream_coalesce_string, cenv);
  if (status == napi_ok) status = cn_export_fn(env, exports, "guessHandleType", cn_fd_guess_type);
  if (status == napi_ok) status = cn_export_fn(env, exports, "socketOptions", cn_sockopt_read);
  if (status == napi_ok) status = cn_export_fn(env, exports, "dupDescriptor", cn_fd_dup);
  if (status == napi_ok) status = cn_export_fn(env, exports, "tlsAvailable", cn_tls_available);
  if (status == napi_ok) status = cn_export_fn(env, exports, "tlsRoots", cn_tls_roots);
  if (status == napi_ok) status = cn_export_fn(env, exports, "tlsContext", cn_tls_context);
  if (status == napi_ok) status = cn_errors_export(env, exports);
  return status;
}

static napi_value cn_init(napi_env env, napi_value exports) {
  cn_env *cenv = calloc(1, sizeof *cenv);
  const char *error = NULL;

  if (cenv == NULL || (cenv->read_buffer = malloc(CN_READ_BUFFER_SIZE)) == NULL) {
    free(cenv);
    napi_throw_error(env, "ERR_MEMORY_ALLOCATION_FAILED", "out of memory");
    return NULL;
  }
  cenv->env = env;
  if (cn_loop_acquire(env, &cenv->loop, &cenv->driver, &error) != 0) {
    char message[512];
    snprintf(message, sizeof message,
             "cnet: no usable libuv loop (%s); on Bun and Deno cnet needs libuv 1.x as libuv.so.1 "
             "(Debian/Ubuntu: apt-get install libuv1)", error);
    free(cenv->read_buffer);
    free(cenv);
    napi_throw_error(env, "ERR_CNET_NO_LOOP", message);
    return NULL;
  }
  /* From here cenv belongs to the env: cn_env_free releases it. */
  if (napi_set_instance_data(env, cenv, cn_env_free, NULL) != napi_ok) {
    cn_loop_release(cenv->driver);
    free(cenv->read_buffer);
    free(cenv);
    napi_throw_error(env, "ERR_CNET_NAPI", "cnet: cannot attach its state to the environment");
    return NULL;
  }
  if (cn_coalesce_init(cenv) != 0 || cn_env_add_teardown(env, cenv) != napi_ok ||
      cn_export_all(env, exports, cenv) != napi_ok) {
    napi_throw_error(env, "ERR_CNET_NAPI", "cnet: cannot set up the module");
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, cn_init)
