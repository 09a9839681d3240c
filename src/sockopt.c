#include "sockopt.h"
#include "napi_util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define CN_KEEPALIVE_OPEN_IDLE 60
#define CN_KEEPALIVE_DEFAULT_INTERVAL 1
#define CN_KEEPALIVE_DEFAULT_COUNT 10

static int cn_sockopt_set_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : -errno;
}

/* The option's value, or a negative errno. */
static int cn_sockopt_get_int(int fd, int level, int name) {
  int value = 0;
  socklen_t len = sizeof value;
  return getsockopt(fd, level, name, &value, &len) == 0 ? value : -errno;
}

/* SO_KEEPALIVE, then (when on) the three timers, stopping at the first the
 * kernel refuses; a zero among them is EINVAL with nothing but SO_KEEPALIVE set.
 * This is what Node 24's libuv does for uv_tcp_keepalive_ex. */
static int cn_sockopt_keepalive(int fd, int on, int64_t idle, int64_t interval, int64_t count) {
  int err;
  if ((err = cn_sockopt_set_int(fd, SOL_SOCKET, SO_KEEPALIVE, on)) != 0 || !on) return err;
  if (idle < 1 || interval < 1 || count < 1 || idle > INT_MAX || interval > INT_MAX || count > INT_MAX)
    return UV_EINVAL;
  if ((err = cn_sockopt_set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, (int)idle)) != 0) return err;
  if ((err = cn_sockopt_set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, (int)interval)) != 0) return err;
  return cn_sockopt_set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, (int)count);
}

int cn_sockopt_apply_keepalive_on_open(cn_handle *h) {
  uv_os_fd_t fd;
  int err;
  if (!h->keepalive_on_open) return 0;
  if ((err = cn_uv.fileno(&h->uv.handle, &fd)) != 0) return err;
  h->keepalive_on_open = 0;
  return cn_sockopt_keepalive(fd, 1, CN_KEEPALIVE_OPEN_IDLE, CN_KEEPALIVE_DEFAULT_INTERVAL,
                              CN_KEEPALIVE_DEFAULT_COUNT);
}

/* A whole number of seconds: any number (truncated toward zero) or 0 for a non-number. */
static napi_status cn_sockopt_seconds(napi_env env, napi_value value, int64_t *out) {
  napi_valuetype type;
  double d;
  napi_status status;
  *out = 0;
  if ((status = napi_typeof(env, value, &type)) != napi_ok || type != napi_number) return status;
  if ((status = napi_get_value_double(env, value, &d)) != napi_ok) return status;
  if (isfinite(d)) *out = (int64_t)fmax(fmin(d, 1e12), -1e12);  /* far out of range stays so */
  return napi_ok;
}

/* An optional count: a non-negative integer up to 2^32-1, anything else `fallback`. */
static napi_status cn_sockopt_optional(napi_env env, const cn_call *c, size_t index, int64_t fallback,
                                       int64_t *out) {
  napi_valuetype type = napi_undefined;
  double d;
  napi_status status;
  *out = fallback;
  if (c->argc <= index) return napi_ok;
  if ((status = napi_typeof(env, c->argv[index], &type)) != napi_ok || type != napi_number) return status;
  if ((status = napi_get_value_double(env, c->argv[index], &d)) != napi_ok) return status;
  if (d >= 0 && d <= 4294967295.0 && floor(d) == d) *out = (int64_t)d;
  return napi_ok;
}

/* setKeepAlive(enable, idleSeconds[, intervalSeconds[, count]]) -> 0 or an error number.
 * Before the socket exists, `enable` is remembered as libuv remembers it. */
napi_value cn_sockopt_set_keep_alive(napi_env env, napi_callback_info info) {
  cn_call c;
  bool enable = false;
  int64_t idle = 0, interval, count;
  uv_os_fd_t fd;
  cn_call_init(env, info, &c);
  if (c.h == NULL || c.h->kind != CN_KIND_TCP) return cn_int(env, UV_EBADF);
  if (c.argc < 1 || napi_coerce_to_bool(env, c.argv[0], &c.argv[0]) != napi_ok ||
      napi_get_value_bool(env, c.argv[0], &enable) != napi_ok ||
      (c.argc >= 2 && cn_sockopt_seconds(env, c.argv[1], &idle) != napi_ok) ||
      cn_sockopt_optional(env, &c, 2, CN_KEEPALIVE_DEFAULT_INTERVAL, &interval) != napi_ok ||
      cn_sockopt_optional(env, &c, 3, CN_KEEPALIVE_DEFAULT_COUNT, &count) != napi_ok)
    return cn_int(env, UV_EINVAL);
  if (cn_uv.fileno(&c.h->uv.handle, &fd) != 0) {
    c.h->keepalive_on_open = enable;
    return cn_int(env, 0);
  }
  return cn_int(env, cn_sockopt_keepalive(fd, enable, idle, interval, count));
}

/* IPV6_TCLASS on an IPv6 socket, IP_TOS on any other. */
static int cn_sockopt_tos_target(int fd, int *level, int *name) {
  int domain = cn_sockopt_get_int(fd, SOL_SOCKET, SO_DOMAIN);
  if (domain < 0) return domain;
  *level = domain == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
  *name = domain == AF_INET6 ? IPV6_TCLASS : IP_TOS;
  return 0;
}

/* setTypeOfService(tos) -> 0 or an error number (EBADF before the socket exists). */
napi_value cn_sockopt_set_type_of_service(napi_env env, napi_callback_info info) {
  cn_call c;
  int32_t tos;
  int level, name, err;
  uv_os_fd_t fd;
  cn_call_init(env, info, &c);
  if (c.h == NULL || c.h->kind != CN_KIND_TCP) return cn_int(env, UV_EBADF);
  if (c.argc < 1 || napi_get_value_int32(env, c.argv[0], &tos) != napi_ok) return cn_int(env, UV_EINVAL);
  if ((err = cn_uv.fileno(&c.h->uv.handle, &fd)) != 0) return cn_int(env, err);
  if ((err = cn_sockopt_tos_target(fd, &level, &name)) != 0) return cn_int(env, err);
  return cn_int(env, cn_sockopt_set_int(fd, level, name, tos));
}

/* getTypeOfService() -> the value, or a negative error number. */
napi_value cn_sockopt_get_type_of_service(napi_env env, napi_callback_info info) {
  cn_call c;
  int level, name, err;
  uv_os_fd_t fd;
  cn_call_init(env, info, &c);
  if (c.h == NULL || c.h->kind != CN_KIND_TCP) return cn_int(env, UV_EBADF);
  if ((err = cn_uv.fileno(&c.h->uv.handle, &fd)) != 0) return cn_int(env, err);
  if ((err = cn_sockopt_tos_target(fd, &level, &name)) != 0) return cn_int(env, err);
  return cn_int(env, cn_sockopt_get_int(fd, level, name));
}

static napi_status cn_sockopt_put(napi_env env, napi_value obj, const char *key, int value) {
  napi_value v;
  napi_status status = napi_create_int32(env, value, &v);
  return status != napi_ok ? status : napi_set_named_property(env, obj, key, v);
}

/* socketOptions(fd) -> { keepAlive, keepIdle, keepInterval, keepCount, noDelay,
 * typeOfService } of any TCP socket descriptor, each a value or a negative
 * errno: what the kernel holds, to compare cnet's sockets with built-in net's. */
napi_value cn_sockopt_read(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj;
  size_t argc = 1;
  int32_t fd = -1;
  int level = IPPROTO_IP, name = IP_TOS, err;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0)
    return cn_int(env, UV_EBADF);
  if ((err = cn_sockopt_tos_target(fd, &level, &name)) != 0) return cn_int(env, err);
  if (napi_create_object(env, &obj) != napi_ok ||
      cn_sockopt_put(env, obj, "keepAlive", cn_sockopt_get_int(fd, SOL_SOCKET, SO_KEEPALIVE)) != napi_ok ||
      cn_sockopt_put(env, obj, "keepIdle", cn_sockopt_get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE)) != napi_ok ||
      cn_sockopt_put(env, obj, "keepInterval", cn_sockopt_get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL)) != napi_ok ||
      cn_sockopt_put(env, obj, "keepCount", cn_sockopt_get_int(fd, IPPROTO_TCP, TCP_KEEPCNT)) != napi_ok ||
      cn_sockopt_put(env, obj, "noDelay", cn_sockopt_get_int(fd, IPPROTO_TCP, TCP_NODELAY)) != napi_ok ||
      cn_sockopt_put(env, obj, "typeOfService", cn_sockopt_get_int(fd, level, name)) != napi_ok)
    return NULL;
  return obj;
}
