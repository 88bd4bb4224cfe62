// The accept loop of an httplib::Server on its own thread.
#include "services/gateway/http/http_listener.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace maillage::gateway {

HttpListener::~HttpListener() { Stop(); }

absl::StatusOr<int> HttpListener::Start(const std::string& host, int port) {
  if (thread_.joinable()) return absl::FailedPreconditionError("HTTP listener already started");
  int bound =
      port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for HTTP on ", host, ":", port));
  }
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it so that Stop() always works.
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

void HttpListener::Stop() {
  if (!thread_.joinable()) return;
  server_.stop();
  thread_.join();
}

}  // namespace maillage::gateway
