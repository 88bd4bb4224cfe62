// WebhookClient against real receivers on loopback (cpp-httplib): the SSRF guards and the
// limits of one attempt.
#include "services/gateway/webhooks/webhook_client.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace maillage::gateway {
namespace {

using ::maillage::testing::IsOk;
using ::maillage::testing::StatusIs;
using ::testing::HasSubstr;

class Receiver {
 public:
  Receiver() {
    server_.Post("/ok", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("fine", "text/plain");
    });
    server_.Post("/big", [](const httplib::Request&, httplib::Response& r) {
      r.set_content(std::string(1 << 20, 'x'), "text/plain");
    });
    server_.Post("/slow", [](const httplib::Request&, httplib::Response& r) {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      r.set_content("late", "text/plain");
    });
    server_.Post("/moved", [this](const httplib::Request&, httplib::Response& r) {
      r.status = 307;
      r.set_header("Location", Url("/ok"));
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return absl::StrCat("http://", host, ":", port_, path);
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

WebhookClientOptions Allowing(const std::string& allow_list) {
  WebhookClientOptions options;
  options.filter = *AddressFilter::Parse(allow_list);
  options.allow_plain_http = true;
  options.connect_timeout = std::chrono::milliseconds(500);
  options.total_timeout = std::chrono::milliseconds(1000);
  return options;
}

TEST(WebhookClientTest, DeliversToAnAllowListedReceiver) {
  Receiver receiver;
  WebhookClient client(Allowing("127.0.0.1"));
  WebhookResponse response = client.Post(receiver.Url("/ok"), {"webhook-id: evt_1"}, "{}");
  EXPECT_TRUE(response.delivered) << response.error;
  EXPECT_EQ(response.http_status, 200);
  EXPECT_EQ(response.body, "fine");
}

TEST(WebhookClientTest, RefusesLoopbackWithoutTheAllowListAndNeverConnects) {
  Receiver receiver;
  WebhookClient client(Allowing(""));
  WebhookResponse response = client.Post(receiver.Url("/ok"), {}, "{}");
  EXPECT_FALSE(response.delivered);
  EXPECT_EQ(response.http_status, 0);
  EXPECT_THAT(response.error, HasSubstr("address refused: loopback"));
  // A name resolving to loopback is refused the same way (the address is checked, not the text).
  response = WebhookClient(Allowing("")).Post(receiver.Url("/ok", "localhost"), {}, "{}");
  EXPECT_THAT(response.error, HasSubstr("address refused: loopback"));
}

TEST(WebhookClientTest, FollowsNoRedirect) {
  Receiver receiver;
  WebhookResponse response =
      WebhookClient(Allowing("127.0.0.1")).Post(receiver.Url("/moved"), {}, "{}");
  EXPECT_FALSE(response.delivered);
  EXPECT_EQ(response.http_status, 307);
  EXPECT_THAT(response.error, HasSubstr("redirect not followed"));
}

TEST(WebhookClientTest, ReadsAtMostTheCapAndStopsASlowReceiver) {
  Receiver receiver;
  WebhookClient client(Allowing("127.0.0.1"));
  WebhookResponse big = client.Post(receiver.Url("/big"), {}, "{}");
  EXPECT_TRUE(big.delivered) << big.error;
  EXPECT_EQ(big.body.size(), 4096u);
  const auto start = std::chrono::steady_clock::now();
  WebhookResponse slow = client.Post(receiver.Url("/slow"), {}, "{}");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
  EXPECT_FALSE(slow.delivered);
  EXPECT_EQ(slow.error, "timeout");
}

TEST(WebhookClientTest, AcceptsOnlyHttpsByDefault) {
  WebhookClientOptions options;
  WebhookClient client(options);
  EXPECT_THAT(client.CheckUrl("https://hooks.example.org/maillage"), IsOk());
  EXPECT_THAT(client.CheckUrl("http://hooks.example.org/maillage"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client.CheckUrl("ftp://hooks.example.org/x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client.CheckUrl("https://user:pw@hooks.example.org/"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client.CheckUrl("not a url"), StatusIs(absl::StatusCode::kInvalidArgument));
  WebhookResponse response = client.Post("http://127.0.0.1:9/hook", {}, "{}");
  EXPECT_THAT(response.error, HasSubstr("https"));
}

}  // namespace
}  // namespace maillage::gateway
