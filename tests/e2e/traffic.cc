#include "tests/e2e/traffic.h"

#include <random>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace maillage::testing {

using nlohmann::json;

httplib::Client GatewayClient(const Suite& suite, std::chrono::seconds read_timeout) {
  httplib::Client client("127.0.0.1", suite.ports().http);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(read_timeout.count(), 0);
  client.set_write_timeout(5, 0);
  client.set_default_headers({{"x-api-key", Suite::kAdminKey}});
  // As curl and browsers: without it a request's body waits for the ACK of its headers, which
  // the gateway delays by 40 ms (Nagle and delayed ACK): every write took 55 ms.
  client.set_tcp_nodelay(true);
  return client;
}

std::string NewUuid() {
  thread_local std::mt19937_64 random(std::random_device{}());
  uint64_t a = random(), b = random();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                         b >> 48, b & 0xffffffffffffULL);
}

namespace {

std::string ErrorStatus(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("error")) return "(no error envelope)";
  return parsed["error"].value("status", "(no status)");
}

std::string TimeoutHeader(std::chrono::milliseconds timeout) {
  return absl::StrCat(timeout.count(), "ms");
}

}  // namespace

Outcome CreateActor(httplib::Client& client, const std::string& request_id,
                    const std::string& display_name, std::chrono::milliseconds timeout) {
  Outcome outcome;
  outcome.write = true;
  outcome.request_id = request_id;
  outcome.display_name = display_name;
  outcome.started = std::chrono::steady_clock::now();
  httplib::Headers headers = {{"X-Request-Timeout", TimeoutHeader(timeout)}};
  json body = {{"displayName", display_name}};
  auto response = client.Post(absl::StrCat("/v1/actors?requestId=", request_id).c_str(), headers,
                              body.dump(), "application/json");
  outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - outcome.started);
  if (!response) return outcome;
  outcome.http_status = response->status;
  if (response->status == 200) {
    json actor = json::parse(response->body, nullptr, false);
    if (!actor.is_discarded()) outcome.actor_name = actor.value("name", "");
  } else {
    outcome.error_status = ErrorStatus(response->body);
  }
  return outcome;
}

Traffic::Traffic(const Suite& suite, std::string prefix, std::chrono::milliseconds timeout)
    : suite_(suite), prefix_(std::move(prefix)), timeout_(timeout) {}

Traffic::~Traffic() { Stop(); }

void Traffic::Start(int writers, int readers) {
  for (int i = 0; i < writers; ++i) threads_.emplace_back([this, i] { Write(i); });
  for (int i = 0; i < readers; ++i) threads_.emplace_back([this] { Read(); });
}

void Traffic::Stop() {
  stop_ = true;
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void Traffic::Record(Outcome outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  outcomes_.push_back(std::move(outcome));
}

std::vector<Outcome> Traffic::Outcomes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outcomes_;
}

int Traffic::AcknowledgedWrites() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const Outcome& o : outcomes_) n += o.write && o.http_status == 200;
  return n;
}

void Traffic::Write(int thread) {
  // A client timeout well past the call's deadline: a hang shows up as latency, not as a cut.
  httplib::Client client =
      GatewayClient(suite_, std::chrono::duration_cast<std::chrono::seconds>(timeout_) +
                                std::chrono::seconds(20));
  for (int i = 0; !stop_; ++i) {
    Outcome outcome =
        CreateActor(client, NewUuid(), absl::StrCat(prefix_, " ", thread, "-", i), timeout_);
    const bool failed = outcome.http_status != 200;
    Record(std::move(outcome));
    // A client backs off after a failure (a failing call can be fast: no spinning).
    if (failed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Traffic::Read() {
  httplib::Client client =
      GatewayClient(suite_, std::chrono::duration_cast<std::chrono::seconds>(timeout_) +
                                std::chrono::seconds(20));
  httplib::Headers headers = {{"X-Request-Timeout", TimeoutHeader(timeout_)}};
  while (!stop_) {
    Outcome outcome;
    outcome.started = std::chrono::steady_clock::now();
    auto response = client.Get("/v1/actors?pageSize=5", headers);
    outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - outcome.started);
    if (response) {
      outcome.http_status = response->status;
      if (response->status != 200) outcome.error_status = ErrorStatus(response->body);
    }
    Record(std::move(outcome));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::map<std::string, std::vector<std::string>> ActorsByDisplayName(const Suite& suite,
                                                                    const std::string& prefix) {
  httplib::Client client = GatewayClient(suite);
  std::map<std::string, std::vector<std::string>> found;
  std::string token;
  for (int pages = 0; pages < 1000; ++pages) {
    std::string path = "/v1/actors?pageSize=500";
    if (!token.empty()) path += "&pageToken=" + token;
    auto response = client.Get(path.c_str());
    if (!response || response->status != 200) {
      throw std::runtime_error(
          absl::StrCat("listing actors failed: ", response ? response->body : "no answer"));
    }
    json page = json::parse(response->body);
    for (const json& actor : page["actors"]) {
      std::string display = actor.value("displayName", "");
      if (absl::StartsWith(display, prefix)) {
        found[display].push_back(actor.value("name", ""));
      }
    }
    token = page.value("nextPageToken", "");
    if (token.empty()) break;
  }
  return found;
}

}  // namespace maillage::testing
