#include "errors.h"
#include "napi_util.h"
#include "uv_api.h"

#include <uv.h>
#include <string.h>

/* errname(errno) -> 'ECONNREFUSED' */
static napi_value cn_errname(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  int32_t code = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &code) != napi_ok)
    return NULL;
  return cn_string(env, cn_uv.err_name(code));
}

/* strerror(errno) -> 'connection refused' */
static napi_value cn_strerror(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  int32_t code = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &code) != napi_ok)
    return NULL;
  return cn_string(env, cn_uv.strerror(code));
}

/* ipFamily(string) -> 4, 6 or 0, using libuv's address parser. */
static napi_value cn_ip_family(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  char text[256];
  size_t len = 0;
  unsigned char addr[sizeof(struct in6_addr)];
  int family = 0;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 1 &&
      napi_get_value_string_utf8(env, argv[0], text, sizeof text, &len) == napi_ok &&
      len < sizeof text - 1 && strlen(text) == len) {
    if (cn_uv.inet_pton(AF_INET, text, addr) == 0)
      family = 4;
    else if (cn_uv.inet_pton(AF_INET6, text, addr) == 0)
      family = 6;
  }
  return cn_int(env, family);
}

napi_status cn_errors_export(napi_env env, napi_value exports) {
  napi_status status = cn_export_fn(env, exports, "errname", cn_errname);
  if (status == napi_ok) status = cn_export_fn(env, exports, "strerror", cn_strerror);
  if (status == napi_ok) status = cn_export_fn(env, exports, "ipFamily", cn_ip_family);
  return status;
}
