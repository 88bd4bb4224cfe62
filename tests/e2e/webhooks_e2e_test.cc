// Webhooks end to end: the four binaries, subscriptions made through the gateway's HTTP API,
// real HTTP receivers on loopback (cpp-httplib), events from the directory's change feed.
// Signatures are checked here with OpenSSL's HMAC and base64 directly (not the gateway's code).
// The gateway allows its loopback receivers with MAILLAGE_WEBHOOK_ALLOWED_ADDRESSES=127.0.0.1
// and plain http with MAILLAGE_WEBHOOK_ALLOW_HTTP; 127.0.0.2 stays refused (loopback).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/client.h"
#include "common/testing/principal.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "maillage/directory/v1/directory_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/suite.h"

namespace maillage::testing {
namespace {

using nlohmann::json;

// One POST received.
struct Received {
  std::string id, timestamp, signature, body;
  absl::Time at;
};

// An HTTP receiver on 127.0.0.1 that can go down and come back on the same port.
class Receiver {
 public:
  Receiver() {
    Start();
    port_ = bound_;
  }
  ~Receiver() { Stop(); }

  void Start() {
    server_ = std::make_unique<httplib::Server>();
    server_->Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back(
            {request.get_header_value("webhook-id"), request.get_header_value("webhook-timestamp"),
             request.get_header_value("webhook-signature"), request.body, absl::Now()});
      }
      const int status = status_.load();
      if (status >= 300 && status < 400) {
        response.set_header("Location", redirect_to_);
      }
      response.status = status;
      response.set_content("ok", "text/plain");
    });
    if (port_ == 0) {
      bound_ = server_->bind_to_any_port("127.0.0.1");
    } else {
      // The port was ours a moment ago: retry while the kernel frees it.
      for (int i = 0; i < 50 && !server_->bind_to_port("127.0.0.1", port_); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }

  std::string Url(const std::string& host = "127.0.0.1") const {
    return absl::StrCat("http://", host, ":", port_, "/hook");
  }
  void Answer(int status, const std::string& location = "") {
    redirect_to_ = location;
    status_ = status;
  }
  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  int port_ = 0, bound_ = 0;
  std::atomic<int> status_{200};
  std::string redirect_to_;
  mutable std::mutex mu_;
  std::vector<Received> received_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// The Standard Webhooks check, written here with OpenSSL alone: v1,base64(HMAC-SHA256(key,
// id.timestamp.body)) with key = base64-decoded secret after "whsec_".
bool SignatureValid(const std::string& secret, const Received& r) {
  if (!absl::StartsWith(secret, "whsec_")) return false;
  const std::string encoded = secret.substr(6);
  std::string key(encoded.size(), '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                               reinterpret_cast<const unsigned char*>(encoded.data()),
                               static_cast<int>(encoded.size()));
  if (length < 0) return false;
  length -= static_cast<int>(
      std::count(encoded.end() - std::min<size_t>(2, encoded.size()), encoded.end(), '='));
  const std::string content = r.id + "." + r.timestamp + "." + r.body;
  unsigned char mac[32];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), key.data(), length, reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &mac_length);
  std::string expected(4 * ((mac_length + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected.data()), mac, mac_length);
  return r.signature == "v1," + expected;
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

class WebhooksE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteOptions options;
    options.env = {{"MAILLAGE_WEBHOOK_ALLOWED_ADDRESSES", "127.0.0.1"},
                   {"MAILLAGE_WEBHOOK_ALLOW_HTTP", "true"},
                   {"MAILLAGE_WEBHOOK_POLL_INTERVAL", "100ms"},
                   {"MAILLAGE_WEBHOOK_RETRY_BASE", "200ms"},
                   {"MAILLAGE_WEBHOOK_RETRY_MAX", "1s"},
                   {"MAILLAGE_WEBHOOK_DISABLE_AFTER", "3s"},
                   {"MAILLAGE_WEBHOOK_CONNECT_TIMEOUT", "1s"},
                   {"MAILLAGE_WEBHOOK_TIMEOUT", "2s"}};
    suite_ = new Suite(options);
    TrustTestCalls();  // the test writes to the directory itself while the gateway is down
    partner_key_ = CreateKey("partner", "ROLE_PARTNER");
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }

  static httplib::Client Http(const std::string& key) {
    httplib::Client client("127.0.0.1", suite_->ports().http);
    client.set_read_timeout(15, 0);
    client.set_default_headers({{"x-api-key", key}});
    return client;
  }
  static json Call(const std::string& key, const std::string& method, const std::string& path,
                   const json& body = json::object(), int want = 200) {
    httplib::Client client = Http(key);
    httplib::Result r =
        method == "GET"      ? client.Get(path.c_str())
        : method == "PATCH"  ? client.Patch(path.c_str(), body.dump(), "application/json")
        : method == "DELETE" ? client.Delete(path.c_str())
                             : client.Post(path.c_str(), body.dump(), "application/json");
    EXPECT_TRUE(r) << method << " " << path;
    if (!r) return json::object();
    EXPECT_EQ(r->status, want) << method << " " << path << ": " << r->body;
    return r->body.empty() ? json::object() : json::parse(r->body);
  }
  static std::string CreateKey(const std::string& name, const std::string& role) {
    return Call(Suite::kAdminKey, "POST", "/v1/apiKeys",
                {{"displayName", name}, {"role", role}})["key"];
  }
  static std::string Admin() { return Suite::kAdminKey; }

  // Subscribes `url` to `types` with `key`; returns the subscription (with its secret).
  static json Subscribe(const std::string& key, const std::string& url,
                        const std::vector<std::string>& types) {
    return Call(key, "POST", "/v1/webhookSubscriptions", {{"url", url}, {"eventTypes", types}});
  }
  static std::string CreateActor(const std::string& name) {
    return Call(Admin(), "POST", "/v1/actors", {{"displayName", name}})["name"];
  }
  static void RenameActor(const std::string& actor, const std::string& name) {
    Call(Admin(), "PATCH", "/v1/" + actor, {{"displayName", name}});
  }

  // The events about `resource` a receiver got, deduplicated by webhook-id, in arrival order.
  static std::vector<json> EventsAbout(const Receiver& receiver, const std::string& resource) {
    std::vector<json> events;
    std::set<std::string> seen;
    for (const Received& r : receiver.received()) {
      json event = json::parse(r.body);
      if (event["data"]["resourceName"] != resource || !seen.insert(r.id).second) continue;
      events.push_back(event);
    }
    return events;
  }

  static Suite* suite_;
  static std::string partner_key_;
};

Suite* WebhooksE2eTest::suite_ = nullptr;
std::string WebhooksE2eTest::partner_key_;

TEST_F(WebhooksE2eTest, ReceiverDownThenUpGetsEveryEventInCommitOrderSigned) {
  Receiver receiver;
  receiver.Stop();  // down: connection refused
  json subscription = Subscribe(partner_key_, receiver.Url(), {"actor.created", "actor.updated"});
  const std::string secret = subscription["secret"];
  ASSERT_TRUE(absl::StartsWith(secret, "whsec_"));
  const std::string actor = CreateActor("Recyclerie du Port");
  for (int i = 1; i <= 5; ++i) RenameActor(actor, absl::StrCat("Recyclerie du Port ", i));
  // Failures are logged while the receiver is away.
  ASSERT_TRUE(WaitUntil(
      [&] {
        json attempts =
            Call(partner_key_, "GET",
                 absl::StrCat("/v1/", subscription["name"].get<std::string>(), "/attempts"));
        return attempts.contains("attempts") && attempts["attempts"].size() >= 2;
      },
      std::chrono::seconds(20)));
  json attempts = Call(partner_key_, "GET",
                       absl::StrCat("/v1/", subscription["name"].get<std::string>(), "/attempts"));
  EXPECT_FALSE(attempts["attempts"][0]["delivered"].get<bool>());
  EXPECT_NE(attempts["attempts"][0]["error"].get<std::string>(), "");
  receiver.Start();
  ASSERT_TRUE(
      WaitUntil([&] { return EventsAbout(receiver, actor).size() >= 6; }, std::chrono::seconds(30)))
      << EventsAbout(receiver, actor).size() << " events";
  std::vector<json> events = EventsAbout(receiver, actor);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0]["type"], "actor.created");
  int64_t previous = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t sequence = std::stoll(events[i]["data"]["sequence"].get<std::string>());
    EXPECT_GT(sequence, previous) << "event " << i << " out of commit order";
    previous = sequence;
    if (i > 0) {
      EXPECT_EQ(events[i]["type"], "actor.updated");
      EXPECT_EQ(events[i]["data"]["actor"]["displayName"], absl::StrCat("Recyclerie du Port ", i));
    }
  }
  // Every delivery carries a valid signature; a forged one does not verify.
  for (const Received& r : receiver.received()) {
    EXPECT_TRUE(SignatureValid(secret, r)) << r.id;
    Received forged = r;
    forged.body.replace(forged.body.find("Recyclerie"), 10, "Ressourcer");
    EXPECT_FALSE(SignatureValid(secret, forged));
    Received other_time = r;
    other_time.timestamp = std::to_string(std::stoll(r.timestamp) + 1);
    EXPECT_FALSE(SignatureValid(secret, other_time));
  }
  EXPECT_FALSE(SignatureValid("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", receiver.received()[0]));
}

TEST_F(WebhooksE2eTest, ReceiverAnswering500ForeverEndsDisabledThenOwnerReenables) {
  Receiver receiver;
  receiver.Answer(500);
  json subscription = Subscribe(partner_key_, receiver.Url(), {"actor.created"});
  const std::string name = subscription["name"];
  const std::string actor = CreateActor("Atelier vélo solidaire");
  ASSERT_TRUE(WaitUntil(
      [&] {
        return Call(partner_key_, "GET", "/v1/" + name)["state"] ==
               "WEBHOOK_SUBSCRIPTION_STATE_DISABLED";
      },
      std::chrono::seconds(30)));
  json disabled = Call(partner_key_, "GET", "/v1/" + name);
  EXPECT_TRUE(absl::StrContains(disabled["disableReason"].get<std::string>(), "HTTP 500"))
      << disabled.dump();
  EXPECT_EQ(disabled["pendingEvents"], "1");
  json attempts = Call(partner_key_, "GET", "/v1/" + name + "/attempts");
  ASSERT_GE(attempts["attempts"].size(), 3u);  // retried with backoff before giving up
  for (const json& attempt : attempts["attempts"]) {
    EXPECT_EQ(attempt["httpStatus"], 500);
    EXPECT_EQ(attempt["error"], "HTTP 500");
    EXPECT_EQ(attempt["resourceName"], actor);
  }
  const size_t tries = receiver.received().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(receiver.received().size(), tries) << "a disabled subscription is not called";

  // Another key cannot see it, nor re-enable it.
  const std::string other = CreateKey("other partner", "ROLE_PARTNER");
  Call(other, "GET", "/v1/" + name, json::object(), 404);
  Call(other, "POST", "/v1/" + name + ":enable", json::object(), 404);

  receiver.Answer(200);
  json enabled = Call(partner_key_, "POST", "/v1/" + name + ":enable");
  EXPECT_EQ(enabled["state"], "WEBHOOK_SUBSCRIPTION_STATE_ACTIVE");
  ASSERT_TRUE(
      WaitUntil([&] { return Call(partner_key_, "GET", "/v1/" + name)["pendingEvents"] == "0"; },
                std::chrono::seconds(10)));
  EXPECT_EQ(EventsAbout(receiver, actor).size(), 1u);

  // Replay: the same event again, with its original id.
  const std::string first_id = receiver.received().back().id;
  const std::string commit_time = json::parse(receiver.received().back().body)["timestamp"];
  json replayed =
      Call(partner_key_, "POST", "/v1/" + name + ":replay", {{"startTime", commit_time}});
  EXPECT_EQ(replayed["queuedEvents"], "1");
  ASSERT_TRUE(
      WaitUntil([&] { return receiver.received().size() > tries + 1; }, std::chrono::seconds(10)));
  EXPECT_EQ(receiver.received().back().id, first_id);
}

TEST_F(WebhooksE2eTest, PartnerSubscriptionNeverReceivesPersonalData) {
  Receiver partner_receiver, admin_receiver;
  Subscribe(partner_key_, partner_receiver.Url(), {"contact.created"});
  const std::string admin_subscription =
      Subscribe(Admin(), admin_receiver.Url(), {"contact.created"})["name"];
  // A partner may not subscribe to what its role may not read (no such type for partners in
  // the directory: every directory event is readable, contacts without their snapshot).
  const std::string actor = CreateActor("Épicerie sociale");
  const std::string email = "camille.personne@example.org";
  const std::string contact = Call(Admin(), "POST", "/v1/" + actor + "/contacts",
                                   {{"givenName", "Camille"},
                                    {"familyName", "Personne"},
                                    {"email", email},
                                    {"legalBasis", "LEGAL_BASIS_LEGITIMATE_INTEREST"}})["name"];
  ASSERT_TRUE(WaitUntil(
      [&] {
        return EventsAbout(partner_receiver, contact).size() == 1 &&
               EventsAbout(admin_receiver, contact).size() == 1;
      },
      std::chrono::seconds(20)));
  json admin_event = EventsAbout(admin_receiver, contact)[0];
  EXPECT_EQ(admin_event["data"]["contact"]["email"], email);
  json partner_event = EventsAbout(partner_receiver, contact)[0];
  EXPECT_EQ(partner_event["type"], "contact.created");
  EXPECT_FALSE(partner_event["data"].contains("contact")) << partner_event.dump();
  for (const Received& r : partner_receiver.received()) {
    EXPECT_FALSE(absl::StrContains(r.body, email));
    EXPECT_FALSE(absl::StrContains(r.body, "Personne"));
  }

  // Once the person is erased, the events the gateway keeps forget her too: a replay of the
  // admin's subscription sends the contact.created event without its snapshot (a replay sent
  // before the gateway read the erasure from the feed may still hold it: replayed until then).
  Call(Admin(), "POST", "/v1/" + contact + ":erase", {{"reason", "demande de la personne"}});
  const size_t before = admin_receiver.received().size();
  const std::string created_at = admin_event["timestamp"];
  std::string redacted;
  ASSERT_TRUE(WaitUntil(
      [&] {
        Call(Admin(), "POST", "/v1/" + admin_subscription + ":replay", {{"startTime", created_at}});
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const std::vector<Received> all = admin_receiver.received();
        for (size_t i = before; i < all.size(); ++i) {
          if (absl::StrContains(all[i].body, contact) &&
              absl::StrContains(all[i].body, "\"redacted\"")) {
            redacted = all[i].body;
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(20)));
  EXPECT_FALSE(absl::StrContains(redacted, email)) << redacted;
  EXPECT_FALSE(absl::StrContains(redacted, "Camille")) << redacted;
}

// Meetings come from the meetings service's outbox (ListMeetingChanges), written in the
// transaction of each change; partners may not read meetings or budgets, so they may not
// subscribe to their events.
TEST_F(WebhooksE2eTest, MeetingEventsComeFromTheMeetingsOutbox) {
  Receiver receiver;
  json subscription = Subscribe(Admin(), receiver.Url(), {"meeting.planned", "meeting.cancelled"});
  Call(Admin(), "POST", "/v1/actions?actionId=wh1",
       {{"code", "WH1"}, {"title", "Action des webhooks"}, {"startYear", 2025}, {"endYear", 2030}});
  const absl::Time start = absl::Now() + absl::Hours(24 * 30);
  auto rfc3339 = [](absl::Time t) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  };
  const std::string meeting =
      Call(Admin(), "POST", "/v1/meetings",
           {{"title", "Rencontre des ressourceries"},
            {"kind", "MEETING_KIND_ELECTED_TECHNICIANS_MEETING"},
            {"format", "MEETING_FORMAT_ONLINE"},
            {"place", {{"onlineUrl", "https://visio.example.org/rencontre"}}},
            {"action", "actions/wh1"},
            {"startTime", rfc3339(start)},
            {"endTime", rfc3339(start + absl::Hours(2))}})["name"];
  Call(Admin(), "POST", "/v1/" + meeting + ":cancel", {{"reason", "salle indisponible"}});
  ASSERT_TRUE(WaitUntil([&] { return EventsAbout(receiver, meeting).size() >= 2; },
                        std::chrono::seconds(20)));
  std::vector<json> events = EventsAbout(receiver, meeting);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["type"], "meeting.planned");
  EXPECT_EQ(events[0]["data"]["meeting"]["title"], "Rencontre des ressourceries");
  EXPECT_EQ(events[1]["type"], "meeting.cancelled");
  EXPECT_EQ(events[1]["data"]["meeting"]["state"], "MEETING_STATE_CANCELLED");
  for (const Received& r : receiver.received()) {
    EXPECT_TRUE(SignatureValid(subscription["secret"], r));
  }
  // The feed itself, as a staff key reads it.
  json feed = Call(CreateKey("staff feed", "ROLE_STAFF"), "GET", "/v1/meetingChanges");
  ASSERT_FALSE(feed["changes"].empty());
  EXPECT_EQ(feed["changes"].back()["eventType"], "meeting.cancelled");

  Call(partner_key_, "POST", "/v1/webhookSubscriptions",
       {{"url", receiver.Url()}, {"eventTypes", {"meeting.planned"}}}, 403);
  Call(partner_key_, "POST", "/v1/webhookSubscriptions",
       {{"url", receiver.Url()}, {"eventTypes", {"budget.approved"}}}, 403);
}

TEST_F(WebhooksE2eTest, RefusesInternalAddressesRedirectsAndBadSubscriptions) {
  Receiver target, redirecting;
  redirecting.Answer(302, target.Url());
  struct Case {
    std::string url, error;
  };
  const std::vector<Case> cases = {
      {redirecting.Url(), "redirect not followed"},
      {redirecting.Url("127.0.0.2"), "address refused: loopback"},
      {"http://10.0.0.1/hook", "address refused: private"},
      {"http://192.168.1.1/hook", "address refused: private"},
      {"http://169.254.169.254/latest/meta-data", "address refused: metadata"},
      {"http://[::1]:9/hook", "address refused: loopback"},
  };
  std::vector<std::string> names;
  for (const Case& c : cases) {
    names.push_back(Subscribe(Admin(), c.url, {"actor.created"})["name"]);
  }
  CreateActor("Café associatif");
  for (size_t i = 0; i < cases.size(); ++i) {
    ASSERT_TRUE(WaitUntil(
        [&] { return !Call(Admin(), "GET", "/v1/" + names[i] + "/attempts")["attempts"].empty(); },
        std::chrono::seconds(20)))
        << cases[i].url;
    json attempt = Call(Admin(), "GET", "/v1/" + names[i] + "/attempts")["attempts"][0];
    EXPECT_FALSE(attempt["delivered"].get<bool>()) << cases[i].url;
    EXPECT_TRUE(absl::StrContains(attempt["error"].get<std::string>(), cases[i].error))
        << cases[i].url << ": " << attempt.dump();
  }
  EXPECT_TRUE(target.received().empty()) << "the redirect was followed";
  EXPECT_GE(redirecting.received().size(), 1u);

  // Refused at once: another scheme, an unknown event type, no type.
  Call(Admin(), "POST", "/v1/webhookSubscriptions",
       {{"url", "ftp://127.0.0.1/x"}, {"eventTypes", {"actor.created"}}}, 400);
  Call(Admin(), "POST", "/v1/webhookSubscriptions",
       {{"url", target.Url()}, {"eventTypes", {"actor.exploded"}}}, 400);
  Call(Admin(), "POST", "/v1/webhookSubscriptions", {{"url", target.Url()}}, 400);
  // Staff and funder keys may not subscribe (webhooks are for partners and admins).
  Call(CreateKey("staff", "ROLE_STAFF"), "POST", "/v1/webhookSubscriptions",
       {{"url", target.Url()}, {"eventTypes", {"actor.created"}}}, 403);
}

TEST_F(WebhooksE2eTest, GatewayKilledLosesNoPendingDelivery) {
  Receiver receiver;
  receiver.Stop();
  json subscription = Subscribe(partner_key_, receiver.Url(), {"actor.created", "actor.updated"});
  const std::string name = subscription["name"];
  const std::string actor = CreateActor("Ressourcerie");
  for (int i = 1; i <= 3; ++i) RenameActor(actor, absl::StrCat("Ressourcerie ", i));
  ASSERT_TRUE(
      WaitUntil([&] { return Call(partner_key_, "GET", "/v1/" + name)["pendingEvents"] == "4"; },
                std::chrono::seconds(20)));
  suite_->Kill("gateway", SIGKILL);
  {
    // Committed while the gateway is down: straight to the directory, as the gateway would.
    auto directory =
        directory::v1::DirectoryService::NewStub(server::MakeChannel(suite_->Address("directory")));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    directory::v1::UpdateActorRequest update;
    update.mutable_actor()->set_name(actor);
    update.mutable_actor()->set_display_name("Ressourcerie 4");
    update.mutable_update_mask()->add_paths("display_name");
    directory::v1::Actor updated;
    ASSERT_TRUE(directory->UpdateActor(&context, update, &updated).ok());
  }
  suite_->Restart("gateway");
  receiver.Start();
  ASSERT_TRUE(WaitUntil([&] { return EventsAbout(receiver, actor).size() >= 5; },
                        std::chrono::seconds(30)));
  std::vector<json> events = EventsAbout(receiver, actor);
  ASSERT_EQ(events.size(), 5u);
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i]["data"]["actor"]["displayName"], absl::StrCat("Ressourcerie ", i));
  }
}

// Throughput and delay from commit to delivery, printed for the README (the figures depend on
// the machine; the test only bounds them loosely). Drain: a backlog of events waiting for a
// receiver that comes back, delivered one at a time in commit order (one subscription), and the
// same backlog for 4 subscriptions at once. Live: events written one after the other through
// the gateway while the receiver is up, delay from the commit to the receiver.
TEST_F(WebhooksE2eTest, MeasuresDeliveryRateAndDelay) {
  constexpr int kEvents = 200;
  constexpr int kSubscriptions = 4;
  std::vector<std::unique_ptr<Receiver>> receivers;
  std::vector<std::string> names;
  for (int i = 0; i < kSubscriptions; ++i) {
    receivers.push_back(std::make_unique<Receiver>());
    receivers.back()->Stop();
    names.push_back(Subscribe(partner_key_, receivers.back()->Url(), {"actor.updated"})["name"]);
  }
  const std::string actor = CreateActor("Mesure");
  for (int i = 0; i < kEvents; ++i) RenameActor(actor, absl::StrCat("Mesure ", i));
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (const std::string& name : names) {
          if (Call(partner_key_, "GET", "/v1/" + name)["pendingEvents"] !=
              std::to_string(kEvents)) {
            return false;
          }
        }
        return true;
      },
      std::chrono::seconds(60)));
  auto received_all = [&](int count) {
    for (int i = 0; i < count; ++i) {
      if (EventsAbout(*receivers[i], actor).size() < static_cast<size_t>(kEvents)) return false;
    }
    return true;
  };
  // One subscription alone (the others stay down). The backlog took longer to write than
  // MAILLAGE_WEBHOOK_DISABLE_AFTER: the subscriptions are disabled, their owner re-enables them.
  absl::Time start = absl::Now();
  receivers[0]->Start();
  Call(partner_key_, "POST", "/v1/" + names[0] + ":enable");
  ASSERT_TRUE(WaitUntil([&] { return received_all(1); }, std::chrono::seconds(120)));
  const double one = kEvents / absl::ToDoubleSeconds(absl::Now() - start);
  // Three more at once.
  start = absl::Now();
  for (int i = 1; i < kSubscriptions; ++i) {
    receivers[i]->Start();
    Call(partner_key_, "POST", "/v1/" + names[i] + ":enable");
  }
  ASSERT_TRUE(WaitUntil([&] { return received_all(kSubscriptions); }, std::chrono::seconds(120)));
  const double several =
      (kSubscriptions - 1) * kEvents / absl::ToDoubleSeconds(absl::Now() - start);

  // Live: delay from commit to delivery.
  Receiver live;
  Subscribe(partner_key_, live.Url(), {"actor.created"});
  constexpr int kLive = 150;
  const absl::Time live_start = absl::Now();
  std::set<std::string> created;
  for (int i = 0; i < kLive; ++i) created.insert(CreateActor(absl::StrCat("Direct ", i)));
  const double written_per_second = kLive / absl::ToDoubleSeconds(absl::Now() - live_start);
  std::vector<double> delays_ms;
  ASSERT_TRUE(WaitUntil(
      [&] {
        delays_ms.clear();
        for (const Received& r : live.received()) {
          json event = json::parse(r.body);
          if (!created.count(event["data"]["resourceName"].get<std::string>())) continue;
          absl::Time commit;
          std::string error;
          if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", event["timestamp"].get<std::string>(),
                               &commit, &error)) {
            continue;
          }
          delays_ms.push_back(absl::ToDoubleMilliseconds(r.at - commit));
        }
        return delays_ms.size() >= static_cast<size_t>(kLive);
      },
      std::chrono::seconds(60)));
  std::sort(delays_ms.begin(), delays_ms.end());
  const double p50 = delays_ms[delays_ms.size() / 2];
  const double p99 = delays_ms[delays_ms.size() * 99 / 100];
  std::printf(
      "webhooks: backlog of %d events drained at %.0f events/s (1 subscription, in order), "
      "%.0f events/s (%d subscriptions at once); live at %.0f writes/s: delay commit -> "
      "delivery p50 %.0f ms, p99 %.0f ms, max %.0f ms (poll interval 100 ms)\n",
      kEvents, one, several, kSubscriptions - 1, written_per_second, p50, p99, delays_ms.back());
  EXPECT_LT(p99, 10000);
}

}  // namespace
}  // namespace maillage::testing
