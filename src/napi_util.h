/* Small Node-API value helpers shared by every file. */
#ifndef CN_NAPI_UTIL_H
#define CN_NAPI_UTIL_H

#include <node_api.h>

/* The value helpers return NULL (undefined to JS) when Node-API fails. */
static inline napi_value cn_int(napi_env env, int value) {
  napi_value v;
  return napi_create_int32(env, value, &v) == napi_ok ? v : NULL;
}

static inline napi_value cn_string(napi_env env, const char *s) {
  napi_value v;
  return napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) == napi_ok ? v : NULL;
}

static inline napi_value cn_bool(napi_env env, int value) {
  napi_value v;
  return napi_get_boolean(env, value != 0, &v) == napi_ok ? v : NULL;
}

/* `data` reaches fn through napi_get_cb_info. */
static inline napi_status cn_export_fn_with(napi_env env, napi_value obj, const char *name, napi_callback fn,
                                            void *data) {
  napi_value f;
  napi_status status = napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, data, &f);
  return status == napi_ok ? napi_set_named_property(env, obj, name, f) : status;
}

static inline napi_status cn_export_fn(napi_env env, napi_value obj, const char *name, napi_callback fn) {
  return cn_export_fn_with(env, obj, name, fn, NULL);
}

/* Sets obj[name] = value; fails (without setting) when value is NULL. */
static inline napi_status cn_set(napi_env env, napi_value obj, const char *name, napi_value value) {
  return value == NULL ? napi_generic_failure : napi_set_named_property(env, obj, name, value);
}

#endif
