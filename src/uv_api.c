#include "uv_api.h"

#include <dlfcn.h>

#define CN_UV_PRIVATE_MIN_VERSION ((1 << 16) | (44 << 8))

cn_uv_api cn_uv;

void cn_uv_use_host(void) {
#define CN_UV_HOST(ret, name, params) cn_uv.name = uv_##name;
  CN_UV_FUNCTIONS(CN_UV_HOST)
#undef CN_UV_HOST
  /* Looked up, not linked: a host with an older libuv must still load the addon. */
#define CN_UV_HOST_OPTIONAL(ret, name, params) *(void **)&cn_uv.name = dlsym(RTLD_DEFAULT, "uv_" #name);
  CN_UV_OPTIONAL_FUNCTIONS(CN_UV_HOST_OPTIONAL)
#undef CN_UV_HOST_OPTIONAL
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
