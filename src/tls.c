#include "tls.h"
#include "napi_util.h"
#include "ssl_api.h"
#include "stream.h"

#include <stdlib.h>
#include <string.h>

/* What ontls(event, ...) reports to JS. */
enum { CN_TLS_HANDSHAKE = 1, CN_TLS_ERROR = 2, CN_TLS_SESSION = 3, CN_TLS_RENEGOTIATION = 4 };

/* tlsQuery(what, ...) */
enum {
  CN_TLS_Q_PROTOCOL = 1,
  CN_TLS_Q_CIPHER,
  CN_TLS_Q_PEER_CHAIN,
  CN_TLS_Q_CERTIFICATE,
  CN_TLS_Q_ALPN,
  CN_TLS_Q_SERVERNAME,
  CN_TLS_Q_VERIFY_ERROR,
  CN_TLS_Q_SESSION,
  CN_TLS_Q_SESSION_REUSED,
  CN_TLS_Q_FINISHED,
  CN_TLS_Q_PEER_FINISHED,
  CN_TLS_Q_KEYING_MATERIAL,
  CN_TLS_Q_MAX_SEND_FRAGMENT,
  CN_TLS_Q_PENDING,
};

/* A context: the SSL_CTX and the server's ALPN list its select callback reads. */
typedef struct {
  SSL_CTX *ctx;
  unsigned char *alpn;
  unsigned alpn_len;
} cn_tls_ctx;

typedef struct cn_tls {
  SSL *ssl;
  BIO *rbio;            /* encrypted bytes read from the socket; the SSL owns both BIOs */
  BIO *wbio;            /* records for the socket */
  cn_tls_ctx *ctx;      /* taken over by tlsStart(): this session's own */
  int handshake_done;
  int reading;          /* JS wants plaintext */
  int peer_closed;      /* close_notify or EOF delivered: no more reads */
  int failed;
  int in_cycle;
  int again;
} cn_tls;

static void cn_tls_emit_event(cn_handle *h, int event);

/* --- module functions --- */

napi_value cn_tls_available(napi_env env, napi_callback_info info) {
  const char *error = NULL;
  if (cn_ssl_load(&error) == 0) return cn_bool(env, 1);
  return cn_string(env, error);
}

/* Bytes of a Buffer or string argument; *owned is set when a copy was made. */
static int cn_tls_bytes(napi_env env, napi_value v, const char **data, size_t *len, char **owned) {
  napi_valuetype type;
  *owned = NULL;
  if (napi_typeof(env, v, &type) != napi_ok) return -1;
  if (type == napi_string) {
    if (napi_get_value_string_utf8(env, v, NULL, 0, len) != napi_ok || (*owned = malloc(*len + 1)) == NULL) return -1;
    if (napi_get_value_string_utf8(env, v, *owned, *len + 1, len) != napi_ok) {
      free(*owned);
      return -1;
    }
    *data = *owned;
    return 0;
  }
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok ? 0 : -1;
}

/* Calls fn(x509, arg) for each certificate of a PEM text; the count, or -1. */
static int cn_tls_each_pem(const char *pem, size_t len, int (*fn)(X509 *, void *), void *arg) {
  BIO *bio = cn_ssl.BIO_new_mem_buf(pem, (int)len);
  X509 *x;
  int count = 0;
  if (bio == NULL) return -1;
  while ((x = cn_ssl.PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) != NULL) {
    int r = fn(x, arg);
    cn_ssl.X509_free(x);
    if (r != 1) {
      count = -1;
      break;
    }
    count++;
  }
  cn_ssl.BIO_free(bio);
  /* The end of the text leaves a "no start line" error behind. */
  cn_ssl.ERR_clear_error();
  return count;
}

static int cn_tls_store_add(X509 *x, void *store) {
  return cn_ssl.X509_STORE_add_cert(store, x);
}

/* An X509_STORE of every certificate in the PEM argument v, or NULL. */
static X509_STORE *cn_tls_store_of(napi_env env, napi_value v) {
  const char *pem;
  char *owned;
  size_t len;
  X509_STORE *store;
  if (cn_tls_bytes(env, v, &pem, &len, &owned) != 0) return NULL;
  store = cn_ssl.X509_STORE_new();
  if (store != NULL && cn_tls_each_pem(pem, len, cn_tls_store_add, store) <= 0) {
    cn_ssl.X509_STORE_free(store);
    store = NULL;
  }
  free(owned);
  return store;
}

/* tlsRoots(pem) -> whether the env's default trust store is set: the
 * runtime's roots as JS gives them, made once, freed with the env. */
napi_value cn_tls_roots(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  cn_env *cenv = cn_env_get(env);
  const char *error;

  if (cenv == NULL || cn_ssl_load(&error) != 0) return cn_bool(env, 0);
  if (cenv->tls_roots == NULL && napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 1)
    cenv->tls_roots = cn_tls_store_of(env, argv[0]);
  return cn_bool(env, cenv->tls_roots != NULL);
}

void cn_tls_env_free(cn_env *cenv) {
  if (cenv->tls_roots != NULL) cn_ssl.X509_STORE_free(cenv->tls_roots);
  cenv->tls_roots = NULL;
}

static void cn_tls_context_free(cn_tls_ctx *c) {
  cn_ssl.SSL_CTX_free(c->ctx);
  free(c->alpn);
  free(c);
}

/* A client's new session (a TLS 1.3 ticket, or the session of a 1.2
 * handshake) goes to JS as ontls(SESSION, der), for the 'session' event. */
static int cn_tls_on_new_session(SSL *ssl, SSL_SESSION *session) {
  cn_handle *h = cn_ssl.SSL_get_ex_data(ssl, 0);
  napi_env env;
  napi_handle_scope scope;
  napi_value argv[2];
  unsigned char *der = NULL;
  int len;
  if (h == NULL || h->closing || h->cenv->tearing_down) return 0;
  env = h->cenv->env;
  len = cn_ssl.i2d_SSL_SESSION(session, &der);
  if (len <= 0) return 0;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    argv[0] = cn_int(env, CN_TLS_SESSION);
    if (napi_create_buffer_copy(env, (size_t)len, der, NULL, &argv[1]) != napi_ok) argv[1] = NULL;
    cn_handle_emit(h, CN_ON_TLS, 2, argv);
    napi_close_handle_scope(env, scope);
  }
  cn_ssl.CRYPTO_free(der, __FILE__, __LINE__);
  return 0; /* the session is not kept here */
}

/* The peer starts another handshake (a TLS 1.2 renegotiation): JS decides
 * whether it may (disableRenegotiation()). */
static void cn_tls_on_info(const SSL *ssl, int where, int ret) {
  cn_handle *h;
  (void)ret;
  if (!(where & SSL_CB_HANDSHAKE_START)) return;
  h = cn_ssl.SSL_get_ex_data(ssl, 0);
  if (h == NULL || h->tls == NULL || !h->tls->handshake_done || h->closing || h->cenv->tearing_down) return;
  cn_tls_emit_event(h, CN_TLS_RENEGOTIATION);
}

/* The client's verdict comes after the handshake (tlsQuery VERIFY_ERROR), as in
 * Node: the handshake itself never fails on the certificate. */
static int cn_tls_verify_later(int preverify_ok, X509_STORE_CTX *ctx) {
  return 1;
}

static int cn_tls_select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                              const unsigned char *in, unsigned int inlen, void *arg) {
  cn_tls_ctx *c = arg;
  unsigned char *selected;
  if (c->alpn == NULL) return SSL_TLSEXT_ERR_NOACK;
  if (cn_ssl.SSL_select_next_proto(&selected, outlen, c->alpn, c->alpn_len, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

static int cn_tls_chain_add(X509 *x, void *ctx) {
  /* add1: the context takes its own reference. */
  return cn_ssl.SSL_CTX_ctrl(ctx, SSL_CTRL_CHAIN_CERT, 1, x) == 1;
}

static int cn_tls_passphrase(char *buf, int size, int rwflag, void *u) {
  size_t len = u ? strlen(u) : 0;
  if (len > (size_t)size) len = (size_t)size;
  memcpy(buf, u ? u : "", len);
  return (int)len;
}

static int cn_tls_is_nullish(napi_env env, napi_value v) {
  napi_valuetype type;
  return napi_typeof(env, v, &type) != napi_ok || type == napi_null || type == napi_undefined;
}

/* Sets the certificate chain (leaf first) and key of a context; 0 or -1. */
static int cn_tls_use_identity(napi_env env, SSL_CTX *ctx, napi_value cert_v, napi_value key_v, napi_value pass_v) {
  const char *pem;
  size_t len;
  char *owned, *pass = NULL;
  BIO *bio;
  X509 *leaf;
  EVP_PKEY *key;
  int ok;

  if (cn_tls_bytes(env, cert_v, &pem, &len, &owned) != 0) return -1;
  bio = cn_ssl.BIO_new_mem_buf(pem, (int)len);
  leaf = bio ? cn_ssl.PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL) : NULL;
  ok = leaf != NULL && cn_ssl.SSL_CTX_use_certificate(ctx, leaf) == 1;
  if (leaf) cn_ssl.X509_free(leaf);
  if (bio) cn_ssl.BIO_free(bio);
  if (ok && len > 0) {
    /* The rest of the text is the chain, sent after the leaf. */
    BIO *rest = cn_ssl.BIO_new_mem_buf(pem, (int)len);
    X509 *skip = rest ? cn_ssl.PEM_read_bio_X509_AUX(rest, NULL, NULL, NULL) : NULL;
    char *p = NULL;
    long left;
    if (skip) cn_ssl.X509_free(skip);
    left = rest ? cn_ssl.BIO_ctrl(rest, BIO_CTRL_INFO, 0, &p) : 0;
    if (left > 0 && cn_tls_each_pem(p, (size_t)left, cn_tls_chain_add, ctx) < 0) ok = 0;
    if (rest) cn_ssl.BIO_free(rest);
  }
  free(owned);
  if (!ok) return -1;

  if (!cn_tls_is_nullish(env, pass_v)) {
    size_t plen;
    if (napi_get_value_string_utf8(env, pass_v, NULL, 0, &plen) != napi_ok || (pass = malloc(plen + 1)) == NULL ||
        napi_get_value_string_utf8(env, pass_v, pass, plen + 1, &plen) != napi_ok) {
      free(pass);
      return -1;
    }
  }
  if (cn_tls_bytes(env, key_v, &pem, &len, &owned) != 0) {
    free(pass);
    return -1;
  }
  bio = cn_ssl.BIO_new_mem_buf(pem, (int)len);
  key = bio ? cn_ssl.PEM_read_bio_PrivateKey(bio, NULL, cn_tls_passphrase, pass) : NULL;
  ok = key != NULL && cn_ssl.SSL_CTX_use_PrivateKey(ctx, key) == 1 && cn_ssl.SSL_CTX_check_private_key(ctx) == 1;
  if (key) cn_ssl.EVP_PKEY_free(key);
  if (bio) cn_ssl.BIO_free(bio);
  free(owned);
  free(pass);
  return ok ? 0 : -1;
}

static int cn_tls_set_string(napi_env env, napi_value v, SSL_CTX *ctx, int (*set)(SSL_CTX *, const char *)) {
  char text[4096];
  size_t len;
  if (cn_tls_is_nullish(env, v)) return 0;
  if (napi_get_value_string_utf8(env, v, text, sizeof text, &len) != napi_ok || len + 1 >= sizeof text) return -1;
  return set(ctx, text) == 1 ? 0 : -1;
}

/*
 * tlsContext(isServer, cert, key, passphrase, store, ciphers, ciphersuites,
 *            minVersion, maxVersion, alpn) -> context, or undefined when
 * OpenSSL refuses an option (JS then leaves the socket to the runtime's tls,
 * which reports the error as it does). cert/key are PEM (key only with cert),
 * ca the PEM of trusted certificates or true for the env's default roots
 * (tlsRoots), versions TLS1_x_VERSION numbers, alpn the server's protocols in
 * wire format. The context is for one tlsStart(), which owns it from then on.
 */
napi_value cn_tls_context(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10], result;
  bool is_server = false;
  int32_t min_version, max_version;
  cn_tls_ctx *c;
  const char *error;

  if (cn_ssl_load(&error) != 0) return NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 10 ||
      napi_get_value_bool(env, argv[0], &is_server) != napi_ok ||
      napi_get_value_int32(env, argv[7], &min_version) != napi_ok ||
      napi_get_value_int32(env, argv[8], &max_version) != napi_ok)
    return NULL;
  if ((c = calloc(1, sizeof *c)) == NULL) return NULL;
  if ((c->ctx = cn_ssl.SSL_CTX_new(cn_ssl.TLS_method())) == NULL) goto fail;
  cn_ssl.SSL_CTX_set_options(c->ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3);
  if (cn_ssl.SSL_CTX_ctrl(c->ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, min_version, NULL) != 1 ||
      cn_ssl.SSL_CTX_ctrl(c->ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, max_version, NULL) != 1)
    goto fail;
  if (!cn_tls_is_nullish(env, argv[1]) && cn_tls_use_identity(env, c->ctx, argv[1], argv[2], argv[3]) != 0) goto fail;
  if (!cn_tls_is_nullish(env, argv[4])) {
    /* true: the env's default roots (tlsRoots), shared; else the PEM of `ca`. */
    napi_valuetype type;
    X509_STORE *store;
    if (napi_typeof(env, argv[4], &type) != napi_ok) goto fail;
    if (type == napi_boolean) {
      cn_env *cenv = cn_env_get(env);
      if (cenv == NULL || cenv->tls_roots == NULL) goto fail;
      cn_ssl.SSL_CTX_set1_cert_store(c->ctx, cenv->tls_roots);
    } else {
      if ((store = cn_tls_store_of(env, argv[4])) == NULL) goto fail;
      cn_ssl.SSL_CTX_set1_cert_store(c->ctx, store);
      cn_ssl.X509_STORE_free(store);
    }
  }
  if (cn_tls_set_string(env, argv[5], c->ctx, cn_ssl.SSL_CTX_set_cipher_list) != 0 ||
      cn_tls_set_string(env, argv[6], c->ctx, cn_ssl.SSL_CTX_set_ciphersuites) != 0)
    goto fail;
  if (!is_server) {
    cn_ssl.SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, cn_tls_verify_later);
    cn_ssl.SSL_CTX_ctrl(c->ctx, SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL, NULL);
    cn_ssl.SSL_CTX_sess_set_new_cb(c->ctx, cn_tls_on_new_session);
  }
  cn_ssl.SSL_CTX_set_info_callback(c->ctx, cn_tls_on_info);
  /* OpenSSL 3 servers refuse a client's renegotiation; the runtime's TLS takes it. */
  if (is_server) cn_ssl.SSL_CTX_set_options(c->ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  if (is_server && !cn_tls_is_nullish(env, argv[9])) {
    void *data;
    size_t len;
    if (napi_get_buffer_info(env, argv[9], &data, &len) != napi_ok || len == 0 || (c->alpn = malloc(len)) == NULL)
      goto fail;
    memcpy(c->alpn, data, len);
    c->alpn_len = (unsigned)len;
    cn_ssl.SSL_CTX_set_alpn_select_cb(c->ctx, cn_tls_select_alpn, c);
  }
  /* No finalizer: tlsStart() takes the context over (one socket each). */
  if (napi_create_external(env, c, NULL, NULL, &result) != napi_ok) goto fail;
  cn_ssl.ERR_clear_error();
  return result;

fail:
  cn_ssl.ERR_clear_error();
  if (c->ctx) cn_ssl.SSL_CTX_free(c->ctx);
  free(c->alpn);
  free(c);
  return NULL;
}

/* --- the engine --- */

/* Reports the first error OpenSSL queued (or `fallback`) as
 * ontls(ERROR, message, library, reason), and fails the session. */
static void cn_tls_fail(cn_handle *h, const char *fallback) {
  napi_env env = h->cenv->env;
  napi_handle_scope scope;
  napi_value argv[4];
  unsigned long code = cn_ssl.ERR_get_error();
  char message[512];
  const char *library = NULL, *reason = NULL;

  h->tls->failed = 1;
  if (code != 0) {
    cn_ssl.ERR_error_string_n(code, message, sizeof message);
    library = cn_ssl.ERR_lib_error_string(code);
    reason = cn_ssl.ERR_reason_error_string(code);
  } else {
    snprintf(message, sizeof message, "%s", fallback);
  }
  cn_ssl.ERR_clear_error();
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  argv[0] = cn_int(env, CN_TLS_ERROR);
  argv[1] = cn_string(env, message);
  argv[2] = library ? cn_string(env, library) : cn_string(env, "");
  argv[3] = reason ? cn_string(env, reason) : cn_string(env, "");
  cn_handle_emit(h, CN_ON_TLS, 4, argv);
  napi_close_handle_scope(env, scope);
}

static void cn_tls_emit_event(cn_handle *h, int event) {
  cn_handle_emit_status(h, CN_ON_TLS, event);
}

/*
 * Sends the records OpenSSL wrote: straight to the socket when nothing is
 * queued, the rest as an owned copy. `js_write`: a JS write waits on them
 * (returns 1 when queued, and CN_ON_WRITE follows); otherwise nothing waits.
 */
static int cn_tls_send(cn_handle *h, int js_write) {
  BIO *wbio = h->tls->wbio;
  uv_stream_t *stream = &h->uv.stream;
  char *data = NULL, *copy;
  long len = cn_ssl.BIO_ctrl(wbio, BIO_CTRL_INFO, 0, &data);
  int written = 0, result;

  if (len <= 0) return 0;
  if (stream->write_queue_size == 0) {
    uv_buf_t buf = cn_buf(data, (size_t)len);
    written = cn_uv.try_write(stream, &buf, 1);
    if (written < 0 && written != UV_EAGAIN && written != UV_ENOSYS) {
      cn_ssl.BIO_ctrl(wbio, BIO_CTRL_RESET, 0, NULL);
      return written;
    }
    if (written < 0) written = 0;
  }
  if (written == len) {
    cn_ssl.BIO_ctrl(wbio, BIO_CTRL_RESET, 0, NULL);
    return 0;
  }
  copy = malloc((size_t)(len - written));
  if (copy == NULL) {
    cn_ssl.BIO_ctrl(wbio, BIO_CTRL_RESET, 0, NULL);
    return UV_ENOMEM;
  }
  memcpy(copy, data + written, (size_t)(len - written));
  cn_ssl.BIO_ctrl(wbio, BIO_CTRL_RESET, 0, NULL);
  result = cn_stream_send_owned(h, copy, (size_t)(len - written), !js_write);
  cn_loop_sync(h->cenv->driver);
  return result;
}

/* Records not tied to a JS write (handshake, alerts, tickets). A failure to
 * send them because the peer has gone is not an 'error', as on the runtime's
 * TLS: the read side reports the connection's end. */
static void cn_tls_send_quiet(cn_handle *h) {
  int err = cn_tls_send(h, 0);
  if (err < 0 && !cn_stream_peer_gone(err)) cn_stream_report_batch_error(h, err);
}

/* Decrypts into the read target and hands the plaintext to JS while JS reads. */
static void cn_tls_read_clear(cn_handle *h) {
  cn_tls *t = h->tls;
  while (t->reading && !t->peer_closed && !t->failed && !h->closing) {
    char *target = cn_read_pool_target(&h->cenv->read_pool);
    size_t room = target ? CN_READ_TARGET_SIZE : CN_READ_BUFFER_SIZE;
    size_t got = 0;
    int n = 0, err = SSL_ERROR_NONE;
    if (target == NULL) target = h->cenv->read_buffer;
    while (got < room) {
      n = cn_ssl.SSL_read(t->ssl, target + got, (int)(room - got));
      if (n <= 0) {
        err = cn_ssl.SSL_get_error(t->ssl, n);
        break;
      }
      got += (size_t)n;
    }
    /* Reading may produce records (a key update's answer). */
    cn_tls_send_quiet(h);
    if (got > 0) cn_stream_deliver(h, (ssize_t)got, target);
    if (n > 0) continue;
    if (err == SSL_ERROR_WANT_READ) return;
    if (err == SSL_ERROR_ZERO_RETURN) {
      if (h->closing || !t->reading) return;
      t->peer_closed = 1;
      cn_stream_deliver(h, UV_EOF, NULL);
      return;
    }
    if (!h->closing) cn_tls_fail(h, "TLS read failed");
    return;
  }
}

/* Moves the session on with what has been read: handshake, then plaintext.
 * Re-entered from a JS callback, it runs again once the outer run ends. */
static void cn_tls_cycle(cn_handle *h) {
  cn_tls *t = h->tls;
  if (t->in_cycle) {
    t->again = 1;
    return;
  }
  t->in_cycle = 1;
  do {
    t->again = 0;
    if (!t->handshake_done && !t->failed) {
      int r = cn_ssl.SSL_do_handshake(t->ssl);
      cn_tls_send_quiet(h);
      if (r == 1) {
        t->handshake_done = 1;
        /* From here a JS pause stops the socket, so nothing piles up unread. */
        if (!t->reading) cn_uv.read_stop(&h->uv.stream);
        cn_tls_emit_event(h, CN_TLS_HANDSHAKE);
      } else {
        int err = cn_ssl.SSL_get_error(t->ssl, r);
        if (err != SSL_ERROR_WANT_READ && !h->closing) cn_tls_fail(h, "TLS handshake failed");
        break;
      }
    }
    if (h->closing || h->tls == NULL) break;
    cn_tls_read_clear(h);
  } while (t->again && !h->closing && !t->failed);
  t->in_cycle = 0;
}

void cn_tls_on_read(cn_handle *h, ssize_t nread, const uv_buf_t *buf) {
  cn_tls *t = h->tls;
  if (t->failed || t->peer_closed) return;
  if (nread > 0) {
    if (cn_ssl.BIO_write(t->rbio, buf->base, (int)nread) != (int)nread) {
      cn_tls_fail(h, "out of memory");
      return;
    }
    cn_tls_cycle(h);
    return;
  }
  /* The socket ended or failed: what was decrypted goes first, as the peer sent it. */
  if (t->handshake_done) cn_tls_cycle(h);
  if (h->closing || t->failed || t->peer_closed) return;
  t->peer_closed = 1;
  cn_stream_deliver(h, nread, NULL);
}

int cn_tls_write(cn_handle *h, const uv_buf_t *bufs, unsigned nbufs) {
  cn_tls *t = h->tls;
  unsigned i;
  if (t->failed || !t->handshake_done) return UV_EPROTO;
  for (i = 0; i < nbufs; i++) {
    size_t done = 0;
    while (done < bufs[i].len) {
      size_t chunk = bufs[i].len - done;
      int n = cn_ssl.SSL_write(t->ssl, bufs[i].base + done, chunk > 1 << 30 ? 1 << 30 : (int)chunk);
      if (n <= 0) {
        cn_ssl.ERR_clear_error();
        return UV_EPROTO;
      }
      done += (size_t)n;
    }
  }
  return cn_tls_send(h, 1);
}

void cn_tls_shutdown(cn_handle *h) {
  cn_tls *t = h->tls;
  if (t->failed || !t->handshake_done) return;
  if (cn_ssl.SSL_shutdown(t->ssl) < 0) cn_ssl.ERR_clear_error();
  cn_tls_send_quiet(h);
}

int cn_tls_read_start(cn_handle *h) {
  h->tls->reading = 1;
  return cn_stream_read_start_socket(h);
}

int cn_tls_read_stop(cn_handle *h) {
  h->tls->reading = 0;
  /* During the handshake the socket must keep reading; after it, JS's pause is the socket's. */
  return h->tls->handshake_done ? cn_uv.read_stop(&h->uv.stream) : 0;
}

void cn_tls_free(cn_handle *h) {
  cn_tls *t = h->tls;
  if (t == NULL) return;
  h->tls = NULL;
  cn_ssl.SSL_free(t->ssl);
  cn_tls_context_free(t->ctx);
  free(t);
}

/* tlsStart(context, isServer, servername, alpn, session): 0 or a libuv error.
 * Takes the context over whatever the outcome. */
napi_value cn_tls_start(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_tls_ctx *ctx;
  cn_tls *t;
  bool is_server = false;
  int err;

  cn_call_init(env, info, &c);
  if (c.argc < 4 || napi_get_value_external(env, c.argv[0], (void **)&ctx) != napi_ok) return cn_int(env, UV_EINVAL);
  /* From here the context is this call's: kept by the session or freed. */
  if (c.h == NULL || c.h->tls != NULL || napi_get_value_bool(env, c.argv[1], &is_server) != napi_ok) {
    cn_tls_context_free(ctx);
    return cn_int(env, c.h == NULL ? UV_EBADF : UV_EINVAL);
  }
  if ((t = calloc(1, sizeof *t)) == NULL) {
    cn_tls_context_free(ctx);
    return cn_int(env, UV_ENOMEM);
  }
  t->ctx = ctx;
  t->ssl = cn_ssl.SSL_new(ctx->ctx);
  t->rbio = cn_ssl.BIO_new(cn_ssl.BIO_s_mem());
  t->wbio = cn_ssl.BIO_new(cn_ssl.BIO_s_mem());
  if (t->ssl == NULL || t->rbio == NULL || t->wbio == NULL) {
    if (t->rbio) cn_ssl.BIO_free(t->rbio);
    if (t->wbio) cn_ssl.BIO_free(t->wbio);
    if (t->ssl) cn_ssl.SSL_free(t->ssl);
    cn_tls_context_free(ctx);
    free(t);
    cn_ssl.ERR_clear_error();
    return cn_int(env, UV_ENOMEM);
  }
  /* An empty read BIO means "wait for more", not EOF. */
  cn_ssl.BIO_ctrl(t->rbio, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, NULL);
  cn_ssl.SSL_set_bio(t->ssl, t->rbio, t->wbio);
  cn_ssl.SSL_set_ex_data(t->ssl, 0, c.h);
  c.h->tls = t;
  if (is_server) {
    cn_ssl.SSL_set_accept_state(t->ssl);
  } else {
    cn_ssl.SSL_set_connect_state(t->ssl);
    if (c.argc > 2 && !cn_tls_is_nullish(env, c.argv[2])) {
      char name[256];
      size_t len;
      if (napi_get_value_string_utf8(env, c.argv[2], name, sizeof name, &len) == napi_ok && len < sizeof name - 1) {
        cn_ssl.SSL_ctrl(t->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name);
      }
    }
    if (c.argc > 3 && !cn_tls_is_nullish(env, c.argv[3])) {
      void *data;
      size_t len;
      if (napi_get_buffer_info(env, c.argv[3], &data, &len) == napi_ok) {
        cn_ssl.SSL_set_alpn_protos(t->ssl, data, (unsigned)len);
      }
    }
    if (c.argc > 4 && !cn_tls_is_nullish(env, c.argv[4])) {
      void *data;
      size_t len;
      if (napi_get_buffer_info(env, c.argv[4], &data, &len) == napi_ok) {
        const unsigned char *p = data;
        SSL_SESSION *session = cn_ssl.d2i_SSL_SESSION(NULL, &p, (long)len);
        if (session != NULL) {
          cn_ssl.SSL_set_session(t->ssl, session);
          cn_ssl.SSL_SESSION_free(session);
        }
      }
    }
  }
  cn_ssl.ERR_clear_error();
  /* The socket reads from now on: the handshake needs the peer's records. */
  err = cn_stream_read_start_socket(c.h);
  return cn_synced(c.h, err);
}

/* tlsCycle(): runs the handshake (a client's first flight) or delivers what was read meanwhile. */
napi_value cn_tls_cycle_method(napi_env env, napi_callback_info info) {
  cn_call c;
  cn_call_init(env, info, &c);
  if (c.h == NULL || c.h->tls == NULL) return cn_int(env, UV_EBADF);
  cn_tls_cycle(c.h);
  return cn_synced(c.h, 0);
}

static napi_value cn_tls_der_x509(napi_env env, X509 *x) {
  unsigned char *der = NULL;
  int len = cn_ssl.i2d_X509(x, &der);
  napi_value v;
  if (len <= 0) return NULL;
  if (napi_create_buffer_copy(env, (size_t)len, der, NULL, &v) != napi_ok) v = NULL;
  cn_ssl.CRYPTO_free(der, __FILE__, __LINE__);
  return v;
}

static napi_value cn_tls_undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

/* The peer's certificates, leaf first: what OpenSSL reports, the leaf added on a server. */
static napi_value cn_tls_peer_chain(napi_env env, SSL *ssl) {
  X509 *leaf = cn_ssl.SSL_get1_peer_certificate(ssl);
  STACK_OF(X509) *chain = cn_ssl.SSL_get_peer_cert_chain(ssl);
  int n = chain ? cn_ssl.OPENSSL_sk_num((const OPENSSL_STACK *)chain) : 0, i, start = 0;
  uint32_t at = 0;
  napi_value array;
  if (leaf == NULL) return cn_tls_undefined(env);
  if (napi_create_array(env, &array) != napi_ok) {
    cn_ssl.X509_free(leaf);
    return NULL;
  }
  napi_set_element(env, array, at++, cn_tls_der_x509(env, leaf));
  if (n > 0 && cn_ssl.OPENSSL_sk_value((const OPENSSL_STACK *)chain, 0) == leaf) start = 1;
  for (i = start; i < n; i++) {
    napi_set_element(env, array, at++, cn_tls_der_x509(env, cn_ssl.OPENSSL_sk_value((const OPENSSL_STACK *)chain, i)));
  }
  cn_ssl.X509_free(leaf);
  return array;
}

/* tlsQuery(what, ...): what the session negotiated (see the enum above). */
napi_value cn_tls_query(napi_env env, napi_callback_info info) {
  cn_call c;
  int32_t what = 0;
  SSL *ssl;
  napi_value v;

  cn_call_init(env, info, &c);
  if (c.h == NULL || c.h->tls == NULL || c.argc < 1 || napi_get_value_int32(env, c.argv[0], &what) != napi_ok)
    return cn_tls_undefined(env);
  ssl = c.h->tls->ssl;
  switch (what) {
    case CN_TLS_Q_PROTOCOL:
      return cn_string(env, cn_ssl.SSL_get_version(ssl));
    case CN_TLS_Q_CIPHER: {
      const SSL_CIPHER *cipher = cn_ssl.SSL_get_current_cipher(ssl);
      if (cipher == NULL || napi_create_array_with_length(env, 3, &v) != napi_ok) return cn_tls_undefined(env);
      napi_set_element(env, v, 0, cn_string(env, cn_ssl.SSL_CIPHER_get_name(cipher)));
      napi_set_element(env, v, 1, cn_string(env, cn_ssl.SSL_CIPHER_standard_name(cipher)));
      napi_set_element(env, v, 2, cn_string(env, cn_ssl.SSL_CIPHER_get_version(cipher)));
      return v;
    }
    case CN_TLS_Q_PEER_CHAIN:
      return cn_tls_peer_chain(env, ssl);
    case CN_TLS_Q_CERTIFICATE: {
      X509 *own = cn_ssl.SSL_get_certificate(ssl);
      return own ? cn_tls_der_x509(env, own) : cn_tls_undefined(env);
    }
    case CN_TLS_Q_ALPN: {
      const unsigned char *data = NULL;
      unsigned len = 0;
      cn_ssl.SSL_get0_alpn_selected(ssl, &data, &len);
      if (len == 0) return cn_bool(env, 0);
      return napi_create_string_latin1(env, (const char *)data, len, &v) == napi_ok ? v : NULL;
    }
    case CN_TLS_Q_SERVERNAME: {
      const char *name = cn_ssl.SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      return name ? cn_string(env, name) : cn_bool(env, 0);
    }
    case CN_TLS_Q_VERIFY_ERROR: {
      /* 0, or [X509_V_ERR_* number, OpenSSL's text for it] */
      long code = cn_ssl.SSL_get_verify_result(ssl);
      if (code == X509_V_OK) return cn_int(env, 0);
      if (napi_create_array_with_length(env, 2, &v) != napi_ok) return NULL;
      napi_set_element(env, v, 0, cn_int(env, (int)code));
      napi_set_element(env, v, 1, cn_string(env, cn_ssl.X509_verify_cert_error_string(code)));
      return v;
    }
    case CN_TLS_Q_SESSION: {
      SSL_SESSION *session = cn_ssl.SSL_get1_session(ssl);
      unsigned char *der = NULL;
      int len = session ? cn_ssl.i2d_SSL_SESSION(session, &der) : 0;
      if (session) cn_ssl.SSL_SESSION_free(session);
      if (len <= 0) return cn_tls_undefined(env);
      if (napi_create_buffer_copy(env, (size_t)len, der, NULL, &v) != napi_ok) v = NULL;
      cn_ssl.CRYPTO_free(der, __FILE__, __LINE__);
      return v;
    }
    case CN_TLS_Q_SESSION_REUSED:
      return cn_bool(env, cn_ssl.SSL_session_reused(ssl));
    case CN_TLS_Q_FINISHED:
    case CN_TLS_Q_PEER_FINISHED: {
      char data[128];
      size_t len = what == CN_TLS_Q_FINISHED ? cn_ssl.SSL_get_finished(ssl, data, sizeof data)
                                               : cn_ssl.SSL_get_peer_finished(ssl, data, sizeof data);
      if (len == 0) return cn_tls_undefined(env);
      return napi_create_buffer_copy(env, len, data, NULL, &v) == napi_ok ? v : NULL;
    }
    case CN_TLS_Q_KEYING_MATERIAL: {
      /* (what, length, label, context?) */
      int32_t length;
      char label[1024];
      size_t label_len;
      void *context = NULL, *out;
      size_t context_len = 0;
      if (c.argc < 3 || napi_get_value_int32(env, c.argv[1], &length) != napi_ok || length <= 0 ||
          napi_get_value_string_utf8(env, c.argv[2], label, sizeof label, &label_len) != napi_ok)
        return cn_tls_undefined(env);
      if (c.argc > 3 && !cn_tls_is_nullish(env, c.argv[3]) &&
          napi_get_buffer_info(env, c.argv[3], &context, &context_len) != napi_ok)
        return cn_tls_undefined(env);
      if (napi_create_buffer(env, (size_t)length, &out, &v) != napi_ok) return NULL;
      if (cn_ssl.SSL_export_keying_material(ssl, out, (size_t)length, label, label_len, context, context_len,
                                            context != NULL) != 1) {
        cn_ssl.ERR_clear_error();
        return cn_tls_undefined(env);
      }
      return v;
    }
    case CN_TLS_Q_MAX_SEND_FRAGMENT: {
      int32_t size;
      if (c.argc < 2 || napi_get_value_int32(env, c.argv[1], &size) != napi_ok) return cn_bool(env, 0);
      return cn_bool(env, cn_ssl.SSL_ctrl(ssl, SSL_CTRL_SET_MAX_SEND_FRAGMENT, size, NULL) == 1);
    }
    case CN_TLS_Q_PENDING:
      return cn_bool(env, cn_ssl.BIO_ctrl(c.h->tls->rbio, BIO_CTRL_PENDING, 0, NULL) > 0 ||
                              cn_ssl.SSL_has_pending(ssl));
    default:
      return cn_tls_undefined(env);
  }
}
