/*
 * TLS on a cnet stream: OpenSSL with memory BIOs, as the runtime's own TLS
 * does over its native streams. Encrypted bytes never reach JS: reads are
 * decrypted here and handed to JS as plain reads, JS writes plaintext and the
 * records go to the socket from here.
 *
 * Ownership: a cn_tls belongs to its cn_handle (h->tls), is made by
 * tlsStart() and freed with the handle (cn_tls_free from cn_handle_on_close).
 * A context (tlsContext()) is made for one socket: tlsStart() takes it over and
 * the cn_tls frees it. The env's default trust store (tlsRoots()) lives in the
 * cn_env and is freed with it (cn_tls_env_free).
 */
#ifndef CN_TLS_H
#define CN_TLS_H

#include "handle.h"

struct cn_tls;

/* Module functions: tlsAvailable() -> true or the reason TLS in C is off;
 * tlsRoots(pem) -> whether the env's default roots are set; tlsContext(options...)
 * -> a context for one tlsStart() (see tls.c). */
napi_value cn_tls_available(napi_env env, napi_callback_info info);
napi_value cn_tls_roots(napi_env env, napi_callback_info info);
napi_value cn_tls_context(napi_env env, napi_callback_info info);

/* Handle methods: tlsStart(context, isServer, servername, alpn, session),
 * tlsCycle(), tlsQuery(what, ...). */
napi_value cn_tls_start(napi_env env, napi_callback_info info);
napi_value cn_tls_cycle_method(napi_env env, napi_callback_info info);
napi_value cn_tls_query(napi_env env, napi_callback_info info);

/* Frees what TLS keeps per env (the default trust store). */
void cn_tls_env_free(cn_env *cenv);

/* Encrypted bytes read from the socket (nread > 0), or its EOF or error. */
void cn_tls_on_read(cn_handle *h, ssize_t nread, const uv_buf_t *buf);
/* Plaintext from JS: 0 when its records went out at once, 1 when they were
 * queued (CN_ON_WRITE follows), or a negative libuv error. */
int cn_tls_write(cn_handle *h, const uv_buf_t *bufs, unsigned nbufs);
/* Sends close_notify ahead of the socket's shutdown. */
void cn_tls_shutdown(cn_handle *h);
/* Whether the plaintext side reads; the socket keeps reading during the handshake. */
int cn_tls_read_start(cn_handle *h);
int cn_tls_read_stop(cn_handle *h);
void cn_tls_free(cn_handle *h);

#endif
