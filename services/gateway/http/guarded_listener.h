// The gateway's public HTTP/1.1 listener (HTTPS when given a certificate), built to stay open
// for well-behaved clients while others are slow or many: Boost.Beast over Asio.
//
//   GuardedListener listener(handler, options);
//   absl::StatusOr<int> port = listener.Start("0.0.0.0", 8080);
//   ...
//   listener.Stop();  // stops accepting, answers the requests in progress, closes the rest
//
// Why not cpp-httplib (0.11.4, Debian's): it gives each connection a worker thread from the
// moment it is accepted until it closes, reads headers with a per-read timeout only (a byte
// every few seconds keeps a worker forever), queues accepted connections without bound, and has
// no hook to count or refuse connections per address. Here reading and writing are
// asynchronous on one I/O thread: a slow or idle socket costs a socket and a timer, never a
// thread.
//
// What a connection gets:
//   - the TLS handshake and the request's header within `header_timeout` (after the first
//     request of a keep-alive connection, the next header within `keep_alive_timeout`), its
//     body within `body_timeout`: past that the connection is closed, without an answer;
//   - at most `max_connections` connections open in all and `max_connections_per_address` per
//     client address: past either, the new connection gets 503 (plain HTTP) and is closed;
//   - a header of at most `max_header_bytes` (431), a target of at most `max_target_bytes`
//     (414), a body of at most `max_body_bytes` (413); a malformed request gets 400;
//   - a complete request is handed to one of `threads` workers (handlers block: backend calls,
//     database); when `max_queued` requests already wait for one, 503 at once; unless
//     `inline_handler` takes it (its answer comes asynchronously: no worker, no hand-off);
//   - an upload (a request for which `upload_limit` returns a limit, e.g. a raw CSV file) is
//     handed to a worker as soon as its header is read: the handler reads the body as it
//     arrives (HttpRequest::body_source), up to that limit, each read within `body_timeout`
//     and the whole body within `upload_timeout`, at most `max_uploads` at once (past it, 503);
//     a connection whose upload was not read to its end is closed after the answer;
//   - answers are written asynchronously within `write_timeout` (a client that does not read
//     is closed); a streamed answer's chunks are written one at a time, its worker waiting for
//     each (so a slow reader holds back its backend stream, within write_timeout per chunk).
// Errors that the listener answers itself get their body from `error_body`.
//
// TLS: with `tls_cert_file` and `tls_key_file` (PEM), every connection is HTTPS. The files are
// checked every `tls_reload_interval` and, when changed, loaded again for the connections that
// follow (a pair that does not load is logged and the previous one kept).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "services/gateway/http/http_message.h"

namespace maillage::gateway {

// The answer to a request taken by GuardedListenerOptions::inline_handler: call it once.
using HttpAnswer = std::function<void(HttpResponse response)>;

struct GuardedListenerOptions {
  int threads = 64;         // workers running handlers
  size_t max_queued = 256;  // complete requests waiting for a worker; past it, 503
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{5000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  size_t max_connections = 10000;
  size_t max_connections_per_address = 256;
  size_t max_header_bytes = 48 << 10;
  size_t max_target_bytes = 8192;
  size_t max_body_bytes = 4 << 20;
  // Uploads (see above): called on the I/O thread with a request's method, target and headers
  // (no body) once its header is read; a non-zero result makes the request an upload with that
  // body limit (the handler answers its 413). Unset or 0: the body is read whole first, up to
  // max_body_bytes. `max_upload_bytes` is the largest limit it returns.
  std::function<size_t(const HttpRequest& head)> upload_limit;
  size_t max_upload_bytes = 0;
  std::chrono::milliseconds upload_timeout{600000};
  size_t max_uploads = 8;
  std::string tls_cert_file;  // both set: HTTPS
  std::string tls_key_file;
  std::chrono::milliseconds tls_reload_interval{10000};
  // The body and content type of an answer the listener makes itself (400, 413, 414, 431, 503).
  std::function<std::pair<std::string, std::string>(int status)> error_body;
  // Called on the I/O thread with each complete request (never an upload) before it goes to a
  // worker. When the request can be answered without blocking (its work started
  // asynchronously), the handler takes it and returns true; it then calls `answer` once, later,
  // from any thread (on_answered runs there, before the answer is written). False: the request
  // goes to a worker as usual. It must never block: it runs on the thread of every socket.
  std::function<bool(const std::shared_ptr<const HttpRequest>& request, HttpAnswer answer)>
      inline_handler;
  // Called on the worker's thread once a request is answered (a streamed one: once its stream
  // is over), and for the requests the listener answers itself (on the I/O thread): the access
  // log and the metrics.
  std::function<void(const HttpRequest&, const HttpResponse&, size_t streamed_bytes)> on_answered;
};

// Counters of what the listener refused or cut, for tests and metrics.
struct GuardedListenerStats {
  std::atomic<int64_t> connections_open{0};
  std::atomic<int64_t> refused_connections{0};  // over a connection limit
  std::atomic<int64_t> timed_out{0};            // handshake, header, body or write too slow
  std::atomic<int64_t> saturated{0};            // 503: no worker free and the queue full
  std::atomic<int64_t> uploads_in_progress{0};
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

class GuardedListener {
 public:
  GuardedListener(HttpHandler handler, GuardedListenerOptions options);
  // Stops if still running.
  ~GuardedListener();
  GuardedListener(const GuardedListener&) = delete;
  GuardedListener& operator=(const GuardedListener&) = delete;

  // Binds `host`:`port` (0: a free port) and starts accepting. Returns the bound port;
  // UNAVAILABLE naming the address when it cannot be bound; INVALID_ARGUMENT when the TLS
  // certificate or key cannot be loaded; FAILED_PRECONDITION when started twice.
  absl::StatusOr<int> Start(const std::string& host, int port);

  // Stops accepting, returns once every request in progress has been answered (at most
  // `drain` later), then closes every connection. Idempotent.
  void Stop(std::chrono::milliseconds drain = std::chrono::seconds(30));

  const GuardedListenerStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maillage::gateway
