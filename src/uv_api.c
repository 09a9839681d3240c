#include "uv_api.h"

#include <dlfcn.h>

#define CN_UV_PRIVATE_MIN_VERSION ((1 << 16) | (44 << 8))

cn_uv_api cn_uv;
cn_uv_host_api cn_uv_host;

/* The host's libuv is in the global scope: the executable (Node, Bun, Deno)
 * or a libuv.so.1 it links (Debian's Node). The private libuv is loaded
 * RTLD_LOCAL and stays out of it. */
int cn_uv_use_host(const char **error) {
#define CN_UV_HOST(ret, name, params)                                       \
  if ((*(void **)&cn_uv.name = dlsym(RTLD_DEFAULT, "uv_" #name)) == NULL) { \
    *error = "the host's libuv lacks uv_" #name;                            \
    return -1;                                                              \
  }
  CN_UV_FUNCTIONS(CN_UV_HOST)
#undef CN_UV_HOST
  /* Looked up, not linked: a host with an older libuv must still load the addon. */
#define CN_UV_HOST_OPTIONAL(ret, name, params) *(void **)&cn_uv.name = dlsym(RTLD_DEFAULT, "uv_" #name);
  CN_UV_OPTIONAL_FUNCTIONS(CN_UV_HOST_OPTIONAL)
#undef CN_UV_HOST_OPTIONAL
  return 0;
}

int cn_uv_use_host_loop(const char **error) {
#define CN_UV_HOST_LOOP(ret, name, params) *(void **)&cn_uv_host.name = dlsym(RTLD_DEFAULT, "uv_" #name);
  CN_UV_HOST_FUNCTIONS(CN_UV_HOST_LOOP)
#undef CN_UV_HOST_LOOP
  if (cn_uv_host.async_init == NULL || cn_uv_host.async_send == NULL || cn_uv_host.close == NULL ||
      cn_uv_host.ref == NULL || cn_uv_host.unref == NULL) {
    *error = "the host's libuv lacks uv_async_*, uv_ref/uv_unref or uv_close";
    return -1;
  }
  if (cn_uv_host.prepare_init == NULL || cn_uv_host.prepare_start == NULL || cn_uv_host.prepare_stop == NULL) {
    cn_uv_host.prepare_init = NULL;
    cn_uv_host.prepare_start = NULL;
    cn_uv_host.prepare_stop = NULL;
  }
  if (cn_uv_host.check_init == NULL || cn_uv_host.check_start == NULL || cn_uv_host.check_stop == NULL) {
    cn_uv_host.check_init = NULL;
    cn_uv_host.check_start = NULL;
    cn_uv_host.check_stop = NULL;
  }
  return 0;
}

int cn_uv_use_private(const char **error) {
#ifndef RTLD_DEEPBIND
  /* Without it (musl) the private libuv's internal calls could bind to the host's stubs. */
  *error = "a private libuv needs RTLD_DEEPBIND (glibc)";
  return -1;
#else
  /* RTLD_DEEPBIND: the private libuv must call its own functions, not the host's. */
  void *lib = dlopen("libuv.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (lib == NULL) {
    *error = dlerror();
    return -1;
  }
#define CN_UV_PRIVATE(ret, name, params)                 \
  if ((*(void **)&cn_uv.name = dlsym(lib, "uv_" #name)) == NULL) { \
    *error = "libuv.so.1 lacks uv_" #name;               \
    dlclose(lib);                                        \
    return -1;                                           \
  }
  CN_UV_FUNCTIONS(CN_UV_PRIVATE)
#undef CN_UV_PRIVATE
#define CN_UV_PRIVATE_OPTIONAL(ret, name, params) *(void **)&cn_uv.name = dlsym(lib, "uv_" #name);
  CN_UV_OPTIONAL_FUNCTIONS(CN_UV_PRIVATE_OPTIONAL)
#undef CN_UV_PRIVATE_OPTIONAL
  /* loop.c relies on uv_backend_timeout() reporting queued epoll interest changes. */
  if (cn_uv.version() < CN_UV_PRIVATE_MIN_VERSION) {
    *error = "libuv.so.1 is older than 1.44";
    dlclose(lib);
    return -1;
  }
  return 0;
#endif
}
