// Clients that misbehave on purpose, over raw sockets from a chosen loopback address: every
// address of 127.0.0.0/8 reaches the local host, and a per-address limit sees each one as a
// different client. For the tests and benches of the gateway's door.
//
//   SlowLoris slow(port, /*sockets=*/200, std::chrono::seconds(1), "127.0.0.2");
//   KeyFlood flood(port, /*connections=*/8, "127.0.0.3", "/v1/actors/1");
//   ... a valid client from 127.0.0.1 ...
//   flood.Stop();  // then flood.statuses(): HTTP status → count
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace maillage::testing {

// A TCP connection to 127.0.0.1:`port` bound to the local address `source`; -1 on failure.
// Closing it resets it (SO_LINGER 0): no TIME_WAIT left behind.
int ConnectFrom(const std::string& source, int port);

// Sends `request` on `fd` and reads one HTTP/1.1 response (Content-Length bodies) within
// `timeout`: its status, or 0 when none came (closed, timed out). The body in `*body`.
int RawExchange(int fd, const std::string& request, std::chrono::milliseconds timeout,
                std::string* body = nullptr);

// A well-formed API key that no gateway knows: mlg_<8 random>_<40 random>.
std::string RandomApiKey();

// `sockets` connections that each send one more byte of a request header every `interval`,
// never ending it. A socket the server closes is counted and opened again.
class SlowLoris {
 public:
  SlowLoris(int port, int sockets, std::chrono::milliseconds interval,
            std::string source = "127.0.0.2");
  ~SlowLoris();
  SlowLoris(const SlowLoris&) = delete;
  SlowLoris& operator=(const SlowLoris&) = delete;

  void Stop();
  int open() const { return open_.load(); }
  // Connections the server closed (or refused) so far.
  int64_t closed_by_server() const { return closed_.load(); }

 private:
  void Run();

  const int port_, sockets_;
  const std::chrono::milliseconds interval_;
  const std::string source_;
  std::atomic<bool> stop_{false};
  std::atomic<int> open_{0};
  std::atomic<int64_t> closed_{0};
  std::thread thread_;
};

// `connections` keep-alive connections, each sending GET `path` with a new random API key as
// fast as the answers come.
class KeyFlood {
 public:
  KeyFlood(int port, int connections, std::string source, std::string path);
  ~KeyFlood();
  KeyFlood(const KeyFlood&) = delete;
  KeyFlood& operator=(const KeyFlood&) = delete;

  void Stop();
  // HTTP status → requests answered with it (0: no answer).
  std::map<int, int64_t> statuses() const;
  int64_t sent() const { return sent_.load(); }

 private:
  void Run();

  const int port_;
  const std::string source_, path_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sent_{0};
  mutable std::mutex mu_;
  std::map<int, int64_t> statuses_;
  std::vector<std::thread> threads_;
};

}  // namespace maillage::testing
