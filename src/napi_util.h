/* Small Node-API value helpers shared by every file. */
#ifndef CN_NAPI_UTIL_H
#define CN_NAPI_UTIL_H

#include <node_api.h>

static inline napi_value cn_int(napi_env env, int value) {
  napi_value v;
  napi_create_int32(env, value, &v);
  return v;
}

static inline napi_value cn_string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

static inline napi_value cn_bool(napi_env env, int value) {
  napi_value v;
  napi_get_boolean(env, value != 0, &v);
  return v;
}

/* `data` reaches fn through napi_get_cb_info. */
static inline void cn_export_fn_with(napi_env env, napi_value obj, const char *name, napi_callback fn, void *data) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, data, &f);
  napi_set_named_property(env, obj, name, f);
}

static inline void cn_export_fn(napi_env env, napi_value obj, const char *name, napi_callback fn) {
  cn_export_fn_with(env, obj, name, fn, NULL);
}

#endif
