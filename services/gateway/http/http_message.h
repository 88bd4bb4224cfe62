// A request as the gateway's HTTP listener hands it to its handler, and the answer the handler
// fills in: plain values, so that handlers and their tests need nothing of the server library.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace maillage::gateway {

// Where the handler of an upload reads its body as it arrives (GuardedListenerOptions::
// upload_limit), so that a file of hundreds of MB never sits whole in memory.
class BodySource {
 public:
  enum class Outcome {
    kChunk,     // `chunk` holds the next bytes (never empty)
    kEnd,       // the whole body was read
    kTooLarge,  // the body is longer than the upload's limit
    kFailed,    // the client is gone, or too slow (the listener's timeouts)
  };
  virtual ~BodySource() = default;
  // Blocks until the next bytes of the body arrive (or the body ends, or fails).
  virtual Outcome Read(std::string& chunk) = 0;
};

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/v1/actors?pageSize=10", as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                   // empty for an upload: read from body_source
  BodySource* body_source = nullptr;  // set for an upload only; valid during the handler
  std::string client_address;         // the peer's IP address, "127.0.0.1"
  bool tls = false;

  // The first value of header `name` (any case); "" when absent.
  std::string header(absl::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (absl::EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  }
  bool has_header(absl::string_view name) const {
    for (const auto& header : headers) {
      if (absl::EqualsIgnoreCase(header.first, name)) return true;
    }
    return false;
  }
};

// Where a streamed answer writes its chunks. Write blocks until the chunk is handed to the
// connection; false when the client is gone (or too slow: the listener's write timeout).
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  virtual bool Write(absl::string_view chunk) = 0;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;
  // Set for a streamed answer (chunked transfer): called on the handler's thread, once the
  // status line and headers are sent, until it returns false; it writes to the sink and returns
  // true when done, false when cut short (the connection is then closed: the client sees a cut
  // body).
  std::function<bool(ChunkSink&)> stream;
  // A pause before the (unary) answer is sent, to slow down a client that is being refused for
  // sending too much: the connection waits on a timer, no worker is held.
  std::chrono::milliseconds delay{0};

  void set_header(std::string name, std::string value) {
    for (auto& header : headers) {
      if (absl::EqualsIgnoreCase(header.first, name)) {
        header.second = std::move(value);
        return;
      }
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
  void set_content(std::string content, std::string type) {
    body = std::move(content);
    content_type = std::move(type);
  }
};

// A document the gateway serves as it is, without a key (the contract downloads).
struct PublicFile {
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Content-Disposition
};

}  // namespace maillage::gateway
