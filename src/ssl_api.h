/*
 * The OpenSSL functions cnet's TLS layer calls, as a table filled at run time
 * (as uv_api.h does for libuv).
 *
 * Node exports its own OpenSSL 3: TLS over cnet then uses the same library,
 * version and configuration as the host's `tls`. Bun (BoringSSL, not
 * exported) and Deno (rustls) have none, so the system's libssl.so.3 is
 * loaded privately. Only real functions are listed: OpenSSL's macros (BIO_pending,
 * SSL_set_tlsext_host_name, ...) expand to calls that would bypass the table,
 * so tls.c spells them as the *_ctrl calls they are.
 */
#ifndef CN_SSL_API_H
#define CN_SSL_API_H

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define CN_SSL_FUNCTIONS(X)                                                                   \
  X(const SSL_METHOD *, TLS_method, (void))                                                   \
  X(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *))                                             \
  X(void, SSL_CTX_free, (SSL_CTX *))                                                          \
  X(long, SSL_CTX_ctrl, (SSL_CTX *, int, long, void *))                                       \
  X(uint64_t, SSL_CTX_set_options, (SSL_CTX *, uint64_t))                                     \
  X(int, SSL_CTX_use_certificate, (SSL_CTX *, X509 *))                                        \
  X(int, SSL_CTX_use_PrivateKey, (SSL_CTX *, EVP_PKEY *))                                     \
  X(int, SSL_CTX_check_private_key, (const SSL_CTX *))                                        \
  X(int, SSL_CTX_set_cipher_list, (SSL_CTX *, const char *))                                  \
  X(int, SSL_CTX_set_ciphersuites, (SSL_CTX *, const char *))                                 \
  X(void, SSL_CTX_set_verify, (SSL_CTX *, int, SSL_verify_cb))                                \
  X(void, SSL_CTX_set1_cert_store, (SSL_CTX *, X509_STORE *))                                 \
  X(void, SSL_CTX_set_alpn_select_cb, (SSL_CTX *, SSL_CTX_alpn_select_cb_func, void *))       \
  X(int, SSL_select_next_proto, (unsigned char **, unsigned char *, const unsigned char *,    \
                                 unsigned int, const unsigned char *, unsigned int))          \
  X(SSL *, SSL_new, (SSL_CTX *))                                                              \
  X(void, SSL_free, (SSL *))                                                                  \
  X(void, SSL_set_bio, (SSL *, BIO *, BIO *))                                                 \
  X(void, SSL_set_connect_state, (SSL *))                                                     \
  X(void, SSL_set_accept_state, (SSL *))                                                      \
  X(int, SSL_do_handshake, (SSL *))                                                           \
  X(int, SSL_is_init_finished, (const SSL *))                                                 \
  X(int, SSL_read, (SSL *, void *, int))                                                      \
  X(int, SSL_write, (SSL *, const void *, int))                                               \
  X(int, SSL_get_error, (const SSL *, int))                                                   \
  X(int, SSL_shutdown, (SSL *))                                                               \
  X(long, SSL_ctrl, (SSL *, int, long, void *))                                               \
  X(int, SSL_set_alpn_protos, (SSL *, const unsigned char *, unsigned int))                   \
  X(void, SSL_get0_alpn_selected, (const SSL *, const unsigned char **, unsigned int *))      \
  X(long, SSL_get_verify_result, (const SSL *))                                               \
  X(const char *, SSL_get_version, (const SSL *))                                             \
  X(const SSL_CIPHER *, SSL_get_current_cipher, (const SSL *))                                \
  X(const char *, SSL_CIPHER_get_name, (const SSL_CIPHER *))                                  \
  X(const char *, SSL_CIPHER_standard_name, (const SSL_CIPHER *))                             \
  X(const char *, SSL_CIPHER_get_version, (const SSL_CIPHER *))                               \
  X(X509 *, SSL_get1_peer_certificate, (const SSL *))                                         \
  X(STACK_OF(X509) *, SSL_get_peer_cert_chain, (const SSL *))                                 \
  X(X509 *, SSL_get_certificate, (const SSL *))                                               \
  X(const char *, SSL_get_servername, (const SSL *, const int))                               \
  X(int, SSL_session_reused, (const SSL *))                                                   \
  X(int, SSL_has_pending, (const SSL *))                                                      \
  X(void, SSL_CTX_sess_set_new_cb, (SSL_CTX *, int (*)(SSL *, SSL_SESSION *)))               \
  X(void, SSL_CTX_set_info_callback, (SSL_CTX *, void (*)(const SSL *, int, int)))          \
  X(int, SSL_set_ex_data, (SSL *, int, void *))                                               \
  X(void *, SSL_get_ex_data, (const SSL *, int))                                                   \
  X(SSL_SESSION *, SSL_get1_session, (SSL *))                                                 \
  X(int, SSL_set_session, (SSL *, SSL_SESSION *))                                             \
  X(void, SSL_SESSION_free, (SSL_SESSION *))                                                  \
  X(int, i2d_SSL_SESSION, (const SSL_SESSION *, unsigned char **))                            \
  X(SSL_SESSION *, d2i_SSL_SESSION, (SSL_SESSION **, const unsigned char **, long))           \
  X(size_t, SSL_get_finished, (const SSL *, void *, size_t))                                  \
  X(size_t, SSL_get_peer_finished, (const SSL *, void *, size_t))                             \
  X(int, SSL_export_keying_material, (SSL *, unsigned char *, size_t, const char *, size_t,   \
                                      const unsigned char *, size_t, int))                    \
  X(const BIO_METHOD *, BIO_s_mem, (void))                                                    \
  X(BIO *, BIO_new, (const BIO_METHOD *))                                                     \
  X(BIO *, BIO_new_mem_buf, (const void *, int))                                              \
  X(int, BIO_free, (BIO *))                                                                   \
  X(int, BIO_read, (BIO *, void *, int))                                                      \
  X(int, BIO_write, (BIO *, const void *, int))                                               \
  X(long, BIO_ctrl, (BIO *, int, long, void *))                                               \
  X(X509 *, PEM_read_bio_X509_AUX, (BIO *, X509 **, pem_password_cb *, void *))               \
  X(EVP_PKEY *, PEM_read_bio_PrivateKey, (BIO *, EVP_PKEY **, pem_password_cb *, void *))     \
  X(void, X509_free, (X509 *))                                                                \
  X(X509_STORE *, X509_STORE_new, (void))                                                     \
  X(void, X509_STORE_free, (X509_STORE *))                                                    \
  X(int, X509_STORE_add_cert, (X509_STORE *, X509 *))                                         \
  X(int, i2d_X509, (const X509 *, unsigned char **))                                          \
  X(void, EVP_PKEY_free, (EVP_PKEY *))                                                        \
  X(unsigned long, ERR_get_error, (void))                                                     \
  X(void, ERR_clear_error, (void))                                                            \
  X(void, ERR_error_string_n, (unsigned long, char *, size_t))                                \
  X(const char *, ERR_lib_error_string, (unsigned long))                                      \
  X(const char *, ERR_reason_error_string, (unsigned long))                                   \
  X(const char *, X509_verify_cert_error_string, (long))                                      \
  X(int, OPENSSL_sk_num, (const OPENSSL_STACK *))                                             \
  X(void *, OPENSSL_sk_value, (const OPENSSL_STACK *, int))                                   \
  X(void, CRYPTO_free, (void *, const char *, int))                                           \
  X(unsigned int, OPENSSL_version_major, (void))

#define CN_SSL_FIELD(ret, name, params) ret(*name) params;
typedef struct {
  CN_SSL_FUNCTIONS(CN_SSL_FIELD)
} cn_ssl_api;
#undef CN_SSL_FIELD

extern cn_ssl_api cn_ssl;

/* Fills cn_ssl once (the host's OpenSSL 3, else libssl.so.3); 0, or -1 with
 * *error set. Safe to call from every env: the first call decides. */
int cn_ssl_load(const char **error);

#endif
