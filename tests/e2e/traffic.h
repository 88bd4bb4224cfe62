// Steady traffic through the gateway's HTTP door for end-to-end and fault tests: writers that
// create actors, each with a request_id of its own (50 ms pause after a failure), and readers
// that list actors; every
// outcome recorded, so that a test can then check what users rely on: which calls failed and
// how, how long they took, and that every acknowledged write is there, once.
//
//   Traffic traffic(suite, "replica-kill");
//   traffic.Start(/*writers=*/2, /*readers=*/1);
//   ... kill something ...
//   traffic.Stop();
//   for (const Outcome& o : traffic.Outcomes()) ...
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "httplib.h"
#include "tests/e2e/suite.h"

namespace maillage::testing {

// An HTTP client of the suite's gateway, sending with every request the headers it needs (the
// one place where credentials are added).
httplib::Client GatewayClient(const Suite& suite,
                              std::chrono::seconds read_timeout = std::chrono::seconds(30));

// A random version-4 UUID, e.g. for request_id.
std::string NewUuid();

struct Outcome {
  bool write = false;
  std::string request_id;    // writes
  std::string display_name;  // writes
  int http_status = 0;       // 0: no HTTP answer (connection error, client timeout)
  std::string error_status;  // the envelope's error.status ("UNAVAILABLE"...), "" when 2xx
  std::string actor_name;    // writes answered 200: "actors/123"
  std::chrono::milliseconds latency{0};
  std::chrono::steady_clock::time_point started;
};

// Creates one actor named `display_name` with `request_id` through the gateway, giving the
// call `timeout` (X-Request-Timeout).
Outcome CreateActor(httplib::Client& client, const std::string& request_id,
                    const std::string& display_name, std::chrono::milliseconds timeout);

class Traffic {
 public:
  // `prefix` starts every display name (so a test finds its actors); `timeout` is each call's
  // X-Request-Timeout.
  Traffic(const Suite& suite, std::string prefix,
          std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~Traffic();

  void Start(int writers, int readers);
  void Stop();
  std::vector<Outcome> Outcomes() const;
  // Outcomes so far that are acknowledged writes.
  int AcknowledgedWrites() const;

 private:
  void Write(int thread);
  void Read();
  void Record(Outcome outcome);

  const Suite& suite_;
  const std::string prefix_;
  const std::chrono::milliseconds timeout_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::vector<Outcome> outcomes_;
};

// Every actor of the directory whose display name starts with `prefix`, display name → actor
// names (more than one: a duplicate), listed through the gateway page by page.
std::map<std::string, std::vector<std::string>> ActorsByDisplayName(const Suite& suite,
                                                                    const std::string& prefix);

}  // namespace maillage::testing
