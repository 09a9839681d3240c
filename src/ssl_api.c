#include "ssl_api.h"

#include <dlfcn.h>
#include <pthread.h>

cn_ssl_api cn_ssl;

static pthread_once_t cn_ssl_once = PTHREAD_ONCE_INIT;
static const char *cn_ssl_error;

/* Every function from one library: the host's, or a private libssl.so.3
 * (whose libcrypto.so.3 dlsym also searches). */
static int cn_ssl_fill(void *lib) {
#define CN_SSL_LOOKUP(ret, name, params) \
  if ((*(void **)&cn_ssl.name = dlsym(lib, #name)) == NULL) return -1;
  CN_SSL_FUNCTIONS(CN_SSL_LOOKUP)
#undef CN_SSL_LOOKUP
  return 0;
}

static void cn_ssl_load_once(void) {
  void *lib;
  if (cn_ssl_fill(RTLD_DEFAULT) == 0 && cn_ssl.OPENSSL_version_major() == 3) return;
#ifdef RTLD_DEEPBIND
  /* RTLD_DEEPBIND: its calls must not reach a host's same-named functions. */
  lib = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (lib == NULL) {
    cn_ssl_error = "no OpenSSL 3: the host exports none and libssl.so.3 was not found";
  } else if (cn_ssl_fill(lib) != 0) {
    cn_ssl_error = "libssl.so.3 lacks a function cnet needs";
    dlclose(lib);
  }
#else
  cn_ssl_error = "a private libssl needs RTLD_DEEPBIND (glibc)";
#endif
}

int cn_ssl_load(const char **error) {
  pthread_once(&cn_ssl_once, cn_ssl_load_once);
  if (cn_ssl_error != NULL) {
    *error = cn_ssl_error;
    return -1;
  }
  return 0;
}
