/* Module entry: per-env state, JS callback registration, env teardown. */
#include "env.h"
#include "errors.h"
#include "fd.h"
#include "handle.h"
#include "loop.h"
#include "napi_util.h"
#include "stream.h"
#include "tcp.h"

#include <stdio.h>
#include <stdlib.h>

cn_env *cn_env_get(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* Env teardown: close what is still open; the hook is removed by the last close. */
static void cn_env_on_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  cn_env *cenv = arg;
  cenv->tearing_down = 1;
  if (cenv->handles == NULL) {
    napi_remove_async_cleanup_hook(hook);
    cenv->cleanup_hook = NULL;
  } else {
    cn_handle_close_all(cenv);
  }
  if (cenv->driver) {
    /* A private loop is ours to run: finish the closes now, then release it. */
    while (cenv->handles) cn_loop_run_once(cenv->driver);
    cn_loop_release(cenv->driver);
    cenv->driver = NULL;
  }
}

static void cn_env_free(napi_env env, void *data, void *hint) {
  cn_env *cenv = data;
  int i;
  if (cenv->handle_ctor) napi_delete_reference(env, cenv->handle_ctor);
  for (i = 0; i < CN_CALLBACK_COUNT; i++) {
    if (cenv->callbacks[i]) napi_delete_reference(env, cenv->callbacks[i]);
  }
  cn_read_pool_release(env, &cenv->read_pool);
  cn_handle_ids_free(&cenv->ids);
  free(cenv->read_buffer);
  free(cenv);
}

/* setCallbacks(onread, onconnection, onconnect, onwrite, onshutdown, onclose) */
static napi_value cn_set_callbacks(napi_env env, napi_callback_info info) {
  napi_value argv[CN_CALLBACK_COUNT];
  size_t argc = CN_CALLBACK_COUNT;
  cn_env *cenv = cn_env_get(env);
  int i;

  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  for (i = 0; i < CN_CALLBACK_COUNT; i++) {
    napi_valuetype type = napi_undefined;
    if ((size_t)i < argc) napi_typeof(env, argv[i], &type);
    if (type != napi_function) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setCallbacks expects functions");
      return NULL;
    }
  }
  for (i = 0; i < CN_CALLBACK_COUNT; i++) {
    if (cenv->callbacks[i]) napi_delete_reference(env, cenv->callbacks[i]);
    napi_create_reference(env, argv[i], 1, &cenv->callbacks[i]);
  }
  return NULL;
}

static napi_value cn_init(napi_env env, napi_value exports) {
  cn_env *cenv = calloc(1, sizeof *cenv);
  napi_value ctor;
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
             "cnet: no usable libuv loop (%s); on Bun cnet needs libuv 1.x as libuv.so.1 "
             "(Debian/Ubuntu: apt-get install libuv1)", error);
    free(cenv->read_buffer);
    free(cenv);
    napi_throw_error(env, "ERR_CNET_NO_LOOP", message);
    return NULL;
  }
  napi_set_instance_data(env, cenv, cn_env_free, NULL);
  napi_add_async_cleanup_hook(env, cn_env_on_teardown, cenv, &cenv->cleanup_hook);

  ctor = cn_handle_define_class(env, cenv);
  napi_set_named_property(env, exports, "Handle", ctor);
  napi_set_named_property(env, exports, "TCP", cn_int(env, CN_KIND_TCP));
  napi_set_named_property(env, exports, "PIPE", cn_int(env, CN_KIND_PIPE));
  napi_set_named_property(env, exports, "UV_EOF", cn_int(env, UV_EOF));
  napi_set_named_property(env, exports, "UV_ETIMEDOUT", cn_int(env, UV_ETIMEDOUT));
  napi_set_named_property(env, exports, "UV_EINVAL", cn_int(env, UV_EINVAL));
  napi_set_named_property(env, exports, "UV_READABLE", cn_int(env, UV_READABLE));
  napi_set_named_property(env, exports, "UV_WRITABLE", cn_int(env, UV_WRITABLE));
  napi_set_named_property(env, exports, "TCP_IPV6ONLY", cn_int(env, CN_TCP_IPV6ONLY));
  napi_set_named_property(env, exports, "TCP_REUSEPORT", cn_int(env, CN_TCP_REUSEPORT));
  napi_set_named_property(env, exports, "privateLoop", cn_bool(env, cenv->driver != NULL));
  cn_export_fn(env, exports, "setCallbacks", cn_set_callbacks);
  cn_export_fn_with(env, exports, "writeBuffer", cn_stream_write_buffer, cenv);
  cn_export_fn_with(env, exports, "writeUtf8", cn_stream_write_string, cenv);
  cn_export_fn(env, exports, "guessHandleType", cn_fd_guess_type);
  cn_export_fn(env, exports, "dupDescriptor", cn_fd_dup);
  cn_errors_export(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, cn_init)
