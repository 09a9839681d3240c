/* Stream operations shared by TCP and pipes: read, write, shutdown, listen/accept. */
#ifndef CN_STREAM_H
#define CN_STREAM_H

#include "handle.h"

/* Completion callback of a connect request whose data is its cn_handle. */
void cn_stream_after_connect(uv_connect_t *req, int status);

napi_value cn_stream_read_start(napi_env env, napi_callback_info info);
napi_value cn_stream_read_stop(napi_env env, napi_callback_info info);
napi_value cn_stream_use_user_buffer(napi_env env, napi_callback_info info);
/* writeBuffer(handleId, buffer): a module function, see handle_ids.h */
napi_value cn_stream_write_buffer(napi_env env, napi_callback_info info);
napi_value cn_stream_writev(napi_env env, napi_callback_info info);
/* writeUtf8(handleId, string): a module function */
napi_value cn_stream_write_string(napi_env env, napi_callback_info info);
/* coalesceBuffer/coalesceUtf8(handleId, data): module functions, see coalesce.h */
napi_value cn_stream_coalesce_buffer(napi_env env, napi_callback_info info);
napi_value cn_stream_coalesce_string(napi_env env, napi_callback_info info);
napi_value cn_stream_flush(napi_env env, napi_callback_info info);
/* Hands n read bytes (or an EOF or error, bytes NULL) to JS's onread. */
void cn_stream_deliver(cn_handle *h, ssize_t nread, const char *bytes);
/* Starts the socket's reads (already reading is fine); 0 or a libuv error. */
int cn_stream_read_start_socket(cn_handle *h);
/* Queues `owned` (freed when written); quiet: TLS records no JS write waits
 * for, whose failure is reported only if the peer has not gone. 1 when
 * queued, or a libuv error. */
int cn_stream_send_owned(cn_handle *h, char *owned, size_t len, int quiet);
/* Queues the rest of a coalesced batch, whose memory `owned` it takes; 0 or an error. */
int cn_stream_write_batch(cn_handle *h, uv_buf_t rest, char *owned);
/* Whether a write failed because the connection is gone (or the write was cancelled). */
int cn_stream_peer_gone(int status);
/* A batch's write failed: onwrite(status, true), which JS turns into the socket's error. */
void cn_stream_report_batch_error(cn_handle *h, int status);
napi_value cn_stream_shutdown(napi_env env, napi_callback_info info);
napi_value cn_stream_listen(napi_env env, napi_callback_info info);
napi_value cn_stream_write_queue_size(napi_env env, napi_callback_info info);

#endif
