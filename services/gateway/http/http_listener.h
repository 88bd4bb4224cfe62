// Runs a configured httplib::Server on a thread of its own, with a clean stop.
#pragma once

#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace maillage::gateway {

class HttpListener {
 public:
  // `server` (handlers and options set) must outlive the listener.
  explicit HttpListener(httplib::Server& server) : server_(server) {}
  // Stops if still running.
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds `host`:`port` (0: a free port) and starts accepting. Returns the bound port;
  // UNAVAILABLE naming the address when it cannot be bound; FAILED_PRECONDITION when started
  // twice.
  absl::StatusOr<int> Start(const std::string& host, int port);

  // Stops accepting, then returns once every request in progress has been answered (idle
  // keep-alive connections are closed at their keep-alive timeout). Idempotent.
  void Stop();

 private:
  httplib::Server& server_;
  std::thread thread_;
};

}  // namespace maillage::gateway
