#include "tests/support/hostile_clients.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <random>

namespace maillage::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string RandomText(size_t length, const char* alphabet) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const size_t n = std::strlen(alphabet);
  std::string text(length, 'a');
  for (char& c : text) c = alphabet[random() % n];
  return text;
}

}  // namespace

int ConnectFrom(const std::string& source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // Closed with a reset: thousands of these connections leave no local port in TIME_WAIT, where
  // it could keep a test binary started next from binding a "free" port.
  linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int RawExchange(int fd, const std::string& request, std::chrono::milliseconds timeout,
                std::string* body) {
  const Clock::time_point until = Clock::now() + timeout;
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return 0;
    sent += static_cast<size_t>(n);
  }
  std::string in;
  size_t header_end = std::string::npos, need = 0;
  char buffer[16384];
  while (true) {
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        size_t length = 0;
        // Content-Length, any case.
        for (size_t at = 0; at < header_end;) {
          size_t eol = in.find("\r\n", at);
          std::string line = in.substr(at, eol - at);
          if (line.size() > 15 && strncasecmp(line.c_str(), "content-length:", 15) == 0) {
            length = std::strtoul(line.c_str() + 15, nullptr, 10);
          }
          at = eol + 2;
        }
        need = header_end + 4 + length;
      }
    }
    if (header_end != std::string::npos && in.size() >= need) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return 0;
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return 0;
    in.append(buffer, static_cast<size_t>(n));
  }
  if (in.compare(0, 9, "HTTP/1.1 ") != 0 && in.compare(0, 9, "HTTP/1.0 ") != 0) return 0;
  if (body != nullptr) *body = in.substr(header_end + 4, need - header_end - 4);
  return std::atoi(in.c_str() + 9);
}

std::string RandomApiKey() {
  return "mlg_" + RandomText(8, "abcdefghijklmnopqrstuvwxyz0123456789") + "_" +
         RandomText(40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}

SlowLoris::SlowLoris(int port, int sockets, std::chrono::milliseconds interval, std::string source)
    : port_(port), sockets_(sockets), interval_(interval), source_(std::move(source)) {
  thread_ = std::thread([this] { Run(); });
}

SlowLoris::~SlowLoris() { Stop(); }

void SlowLoris::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void SlowLoris::Run() {
  // What each socket sends, a byte at a time: a request line, then a header that never ends.
  const std::string prefix = "GET /v1/actors HTTP/1.1\r\nHost: gateway\r\nX-Slow: ";
  struct Socket {
    int fd = -1;
    size_t sent = 0;
  };
  std::vector<Socket> sockets(static_cast<size_t>(sockets_));
  while (!stop_) {
    const Clock::time_point next = Clock::now() + interval_;
    int open = 0;
    for (Socket& s : sockets) {
      if (stop_) break;
      if (s.fd < 0) {
        s.fd = ConnectFrom(source_, port_);
        s.sent = 0;
        if (s.fd < 0) continue;
      }
      char probe;
      const ssize_t got = ::recv(s.fd, &probe, 1, MSG_DONTWAIT);
      const char byte = s.sent < prefix.size() ? prefix[s.sent] : 'x';
      if (got >= 0 || ::send(s.fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
        // Closed (0), answered (a 503: > 0) or reset: the server let it go.
        ::close(s.fd);
        s.fd = -1;
        closed_.fetch_add(1);
        continue;
      }
      ++s.sent;
      ++open;
    }
    open_ = open;
    while (!stop_ && Clock::now() < next)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (Socket& s : sockets) {
    if (s.fd >= 0) ::close(s.fd);
  }
  open_ = 0;
}

KeyFlood::KeyFlood(int port, int connections, std::string source, std::string path)
    : port_(port), source_(std::move(source)), path_(std::move(path)) {
  for (int i = 0; i < connections; ++i) threads_.emplace_back([this] { Run(); });
}

KeyFlood::~KeyFlood() { Stop(); }

void KeyFlood::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::map<int, int64_t> KeyFlood::statuses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return statuses_;
}

void KeyFlood::Run() {
  int fd = -1;
  std::map<int, int64_t> local;
  while (!stop_) {
    if (fd < 0) fd = ConnectFrom(source_, port_);
    if (fd < 0) {
      ++local[0];
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    const std::string request =
        "GET " + path_ + " HTTP/1.1\r\nHost: gateway\r\nx-api-key: " + RandomApiKey() + "\r\n\r\n";
    sent_.fetch_add(1);
    const int status = RawExchange(fd, request, std::chrono::seconds(5));
    ++local[status];
    if (status == 0) {
      ::close(fd);
      fd = -1;
    }
    if (local.size() > 0 && (sent_.load() & 63) == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [code, count] : local) statuses_[code] += count;
      local.clear();
    }
  }
  if (fd >= 0) ::close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [code, count] : local) statuses_[code] += count;
}

}  // namespace maillage::testing
