#include "tcp.h"
#include "napi_util.h"
#include "sockopt.h"
#include "stream.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int cn_tcp_init(cn_handle *h) {
  return cn_uv.tcp_init(h->cenv->loop, &h->uv.tcp);
}

static cn_handle *cn_tcp_from_call(cn_call *c) {
  return c->h && c->h->kind == CN_KIND_TCP ? c->h : NULL;
}

/* Parses (ip, port, family) arguments into a socket address. */
static int cn_tcp_parse_addr(cn_call *c, size_t first, struct sockaddr_storage *addr) {
  char ip[INET6_ADDRSTRLEN + 64];
  size_t len;
  int32_t port = 0, family = 4;
  if (c->argc < first + 3 ||
      napi_get_value_string_utf8(c->env, c->argv[first], ip, sizeof ip, &len) != napi_ok ||
      napi_get_value_int32(c->env, c->argv[first + 1], &port) != napi_ok ||
      napi_get_value_int32(c->env, c->argv[first + 2], &family) != napi_ok ||
      port < 0 || port > 65535)
    return UV_EINVAL;
  if (family == 6) return cn_uv.ip6_addr(ip, port, (struct sockaddr_in6 *)addr);
  return cn_uv.ip4_addr(ip, port, (struct sockaddr_in *)addr);
}

/* Gives the handle a socket of `family` with SO_REUSEPORT set, before bind.
 * Done by hand rather than with UV_TCP_REUSEPORT, which libuv only has from 1.49. */
static int cn_tcp_open_reuseport(cn_handle *h, int family) {
  uv_os_fd_t existing;
  int fd, on = 1, err;
  if (cn_uv.fileno(&h->uv.handle, &existing) == 0) return UV_EINVAL;  /* already has a socket */
  fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    err = -errno;
    close(fd);
    return err;
  }
  if ((err = cn_uv.tcp_open(&h->uv.tcp, fd)) != 0) close(fd);
  return err;
}

/* bind(ip, port, family, flags): flags is a mask of CN_TCP_IPV6ONLY and CN_TCP_REUSEPORT. */
napi_value cn_tcp_bind(napi_env env, napi_callback_info info) {
  cn_call c;
  struct sockaddr_storage addr;
  int32_t flags = 0;
  cn_handle *h;
  int err;

  cn_call_init(env, info, &c);
  if ((h = cn_tcp_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if ((err = cn_tcp_parse_addr(&c, 0, &addr)) != 0) return cn_int(env, err);
  if (c.argc >= 4 && napi_get_value_int32(env, c.argv[3], &flags) != napi_ok) return cn_int(env, UV_EINVAL);
  if ((flags & CN_TCP_REUSEPORT) && (err = cn_tcp_open_reuseport(h, addr.ss_family)) != 0)
    return cn_int(env, err);
  err = cn_uv.tcp_bind(&h->uv.tcp, (struct sockaddr *)&addr, (flags & CN_TCP_IPV6ONLY) ? UV_TCP_IPV6ONLY : 0);
  return cn_int(env, err != 0 ? err : cn_sockopt_apply_keepalive_on_open(h));
}

/* connect(ip, port, family) */
napi_value cn_tcp_connect(napi_env env, napi_callback_info info) {
  cn_call c;
  struct sockaddr_storage addr;
  cn_handle *h;
  int err;

  cn_call_init(env, info, &c);
  if ((h = cn_tcp_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if ((err = cn_tcp_parse_addr(&c, 0, &addr)) != 0) return cn_int(env, err);
  if (h->connecting) return cn_int(env, UV_EALREADY);
  h->connect_req.data = h;
  err = cn_uv.tcp_connect(&h->connect_req, &h->uv.tcp, (struct sockaddr *)&addr, cn_stream_after_connect);
  if (err == 0) h->connecting = 1;
  /* A keep-alive failure does not stop the connect under way (libuv ignores it too). */
  if (err == 0) (void)cn_sockopt_apply_keepalive_on_open(h);
  return cn_synced(h, err);
}

napi_value cn_tcp_set_no_delay(napi_env env, napi_callback_info info) {
  cn_call c;
  bool enable = true;
  cn_handle *h;
  cn_call_init(env, info, &c);
  if ((h = cn_tcp_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  if (c.argc >= 1 && napi_get_value_bool(env, c.argv[0], &enable) != napi_ok) return cn_int(env, UV_EINVAL);
  return cn_int(env, cn_uv.tcp_nodelay(&h->uv.tcp, enable));
}

/* {address, family, port} for a socket address, or an error number. */
static napi_value cn_tcp_addr_object(napi_env env, const struct sockaddr_storage *addr) {
  char ip[INET6_ADDRSTRLEN];
  napi_value obj;
  int port;
  const char *family;
  if (addr->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)addr;
    cn_uv.ip6_name(a6, ip, sizeof ip);
    port = ntohs(a6->sin6_port);
    family = "IPv6";
  } else if (addr->ss_family == AF_INET) {
    const struct sockaddr_in *a4 = (const struct sockaddr_in *)addr;
    cn_uv.ip4_name(a4, ip, sizeof ip);
    port = ntohs(a4->sin_port);
    family = "IPv4";
  } else {
    return cn_int(env, UV_EAFNOSUPPORT);
  }
  if (napi_create_object(env, &obj) != napi_ok || cn_set(env, obj, "address", cn_string(env, ip)) != napi_ok ||
      cn_set(env, obj, "family", cn_string(env, family)) != napi_ok ||
      cn_set(env, obj, "port", cn_int(env, port)) != napi_ok)
    return cn_int(env, UV_ENOMEM);
  return obj;
}

napi_value cn_tcp_getsockname(napi_env env, napi_callback_info info) {
  cn_call c;
  struct sockaddr_storage addr;
  int len = sizeof addr, err;
  cn_handle *h;
  cn_call_init(env, info, &c);
  if ((h = cn_tcp_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  err = cn_uv.tcp_getsockname(&h->uv.tcp, (struct sockaddr *)&addr, &len);
  return err ? cn_int(env, err) : cn_tcp_addr_object(env, &addr);
}

napi_value cn_tcp_getpeername(napi_env env, napi_callback_info info) {
  cn_call c;
  struct sockaddr_storage addr;
  int len = sizeof addr, err;
  cn_handle *h;
  cn_call_init(env, info, &c);
  if ((h = cn_tcp_from_call(&c)) == NULL) return cn_int(env, UV_EBADF);
  err = cn_uv.tcp_getpeername(&h->uv.tcp, (struct sockaddr *)&addr, &len);
  return err ? cn_int(env, err) : cn_tcp_addr_object(env, &addr);
}
