/* Per-environment state: one per Node-API env (main thread or worker). */
#ifndef CN_ENV_H
#define CN_ENV_H

#include <node_api.h>
#include <uv.h>

#include "loop.h"
#include "handle_ids.h"
#include "read_pool.h"

/* JS callbacks registered once by lib/binding.js; called with `this` = handle. */
enum cn_callback {
  CN_ON_READ,        /* (nread, offset, newPool?, own?): see cn_stream_on_read */
  CN_ON_CONNECTION,  /* (status, clientHandle?) */
  CN_ON_CONNECT,     /* (status) */
  CN_ON_WRITE,       /* (status) one per queued write, in order; (status, true): a batch failed (coalesce.h) */
  CN_ON_SHUTDOWN,    /* (status) */
  CN_ON_CLOSE,       /* () */
  CN_ON_TLS,         /* (event, ...): see tls.c */
  CN_CALLBACK_COUNT
};

#define CN_READ_BUFFER_SIZE 65536

struct cn_handle;
struct cn_coalescer;

typedef struct cn_env {
  napi_env env;
  uv_loop_t *loop;
  cn_loop_driver *driver;         /* NULL on Node: see loop.h */
  napi_ref handle_ctor;
  napi_ref callbacks[CN_CALLBACK_COUNT];
  char *read_buffer;              /* shared: libuv calls read_cb right after alloc_cb */
  cn_read_pool read_pool;         /* where read bytes are handed to JS */
  struct cn_handle *handles;      /* every handle not yet closed, for env teardown */
  cn_handle_ids ids;              /* open handles by the id JS names them with */
  int tearing_down;
  /* Write coalescing (coalesce.h) */
  struct cn_coalescer *coalescer; /* host loop hooks, NULL once released */
  struct cn_handle *batched;      /* handles with a batch to flush */
  int js_depth;                   /* native callbacks into JS now running */
  unsigned turn;                  /* counts the ends of JS turns (flush points) */
  int flushing;                   /* cn_coalesce_flush_all is running */
  struct cn_env *coalesce_next;   /* the envs an exit handler flushes */
  int host_closing;               /* host loop handles of cnet still closing at teardown */
  napi_async_cleanup_hook_handle cleanup_hook;
  void *tls_roots;                /* X509_STORE of the runtime's roots (tls.h), or NULL */
} cn_env;

cn_env *cn_env_get(napi_env env);

/* Ends the env's teardown once nothing of cnet is left closing on any loop. */
void cn_env_teardown_step(cn_env *cenv);

#endif
