// Uploads on the guarded listener (guarded_listener.h): the handler reads the body as it
// arrives, within the route's limit, the listener's timeouts and its count of uploads. And the
// requests its inline handler answers without a worker.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/http/guarded_listener.h"
#include "tests/support/hostile_clients.h"

namespace maillage::gateway {
namespace {

using maillage::testing::IsOk;
using ::testing::HasSubstr;
using Outcome = BodySource::Outcome;

bool SendAll(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// A listener whose handler reads uploads to /upload (limit kLimit) and answers
// "<outcome> <bytes>"; other requests are answered with the size of their body.
class UploadListenerTest : public ::testing::Test {
 protected:
  static constexpr size_t kLimit = 64 << 10;

  void Start(GuardedListenerOptions options) {
    options.threads = 2;
    options.max_body_bytes = 1024;
    options.upload_limit = [](const HttpRequest& head) -> size_t {
      return head.target.rfind("/upload", 0) == 0 ? kLimit : 0;
    };
    options.max_upload_bytes = kLimit;
    listener_ = std::make_unique<GuardedListener>(
        [this](const HttpRequest& request, HttpResponse& response) {
          if (request.body_source == nullptr) {
            response.set_content(absl::StrCat("whole ", request.body.size()), "text/plain");
            return;
          }
          if (request.target == "/upload/refuse") {  // answers without reading the body
            response.status = 415;
            return;
          }
          size_t bytes = 0;
          std::string chunk;
          Outcome outcome;
          while ((outcome = request.body_source->Read(chunk)) == Outcome::kChunk) {
            if (bytes == 0 && !first_set_.exchange(true)) first_chunk_.set_value(chunk.size());
            bytes += chunk.size();
          }
          const char* name = outcome == Outcome::kEnd        ? "end"
                             : outcome == Outcome::kTooLarge ? "too-large"
                                                             : "failed";
          last_outcome_ = name;
          response.status = outcome == Outcome::kEnd ? 200 : 413;
          response.set_content(absl::StrCat(name, " ", bytes), "text/plain");
        },
        options);
    absl::StatusOr<int> port = listener_->Start("127.0.0.1", 0);
    ASSERT_THAT(port, IsOk());
    port_ = *port;
  }

  void TearDown() override {
    if (listener_) listener_->Stop(std::chrono::seconds(1));
  }

  std::unique_ptr<GuardedListener> listener_;
  int port_ = 0;
  std::promise<size_t> first_chunk_;
  std::atomic<bool> first_set_{false};
  std::atomic<const char*> last_outcome_{""};
};

// The handler has the first bytes while the client has not sent the rest: the body is not
// held until it is complete.
TEST_F(UploadListenerTest, TheHandlerReadsTheBodyAsItArrives) {
  Start({});
  int fd = maillage::testing::ConnectFrom("127.0.0.1", port_);
  ASSERT_GE(fd, 0);
  const std::string half(20000, 'a');
  ASSERT_TRUE(SendAll(fd, absl::StrCat("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ",
                                       2 * half.size(), "\r\n\r\n", half)));
  std::future<size_t> first = first_chunk_.get_future();
  ASSERT_EQ(first.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_GT(first.get(), 0u);
  std::string body;
  EXPECT_EQ(maillage::testing::RawExchange(fd, half, std::chrono::seconds(5), &body), 200);
  EXPECT_EQ(body, "end 40000");
  // The connection stays open for the next request.
  EXPECT_EQ(maillage::testing::RawExchange(
                fd, "POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
                std::chrono::seconds(5), &body),
            200);
  EXPECT_EQ(body, "whole 3");
  ::close(fd);
}

// A chunked upload past the route's limit: the handler learns it (and answers 413), while a
// request that is not an upload keeps the smaller body limit.
TEST_F(UploadListenerTest, LimitsArePerRoute) {
  Start({});
  int fd = maillage::testing::ConnectFrom("127.0.0.1", port_);
  std::string request = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i)
    absl::StrAppend(&request, "1000\r\n", std::string(4096, 'b'), "\r\n");
  absl::StrAppend(&request, "0\r\n\r\n");
  std::string body;
  EXPECT_EQ(maillage::testing::RawExchange(fd, request, std::chrono::seconds(5), &body), 413);
  EXPECT_THAT(body, HasSubstr("too-large"));
  ::close(fd);

  fd = maillage::testing::ConnectFrom("127.0.0.1", port_);
  EXPECT_EQ(maillage::testing::RawExchange(
                fd, "POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
                std::chrono::seconds(5)),
            413);
  ::close(fd);
  fd = maillage::testing::ConnectFrom("127.0.0.1", port_);
  EXPECT_EQ(maillage::testing::RawExchange(
                fd,
                absl::StrCat("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
                             std::string(5000, 'c')),
                std::chrono::seconds(5), &body),
            200);
  EXPECT_EQ(body, "end 5000");
  ::close(fd);
}

// A sender that trickles its body is cut at the upload timeout, even though each byte comes
// within the body timeout: it holds a worker for that long at most.
TEST_F(UploadListenerTest, ASlowSenderIsCutAtTheUploadTimeout) {
  GuardedListenerOptions options;
  options.body_timeout = std::chrono::milliseconds(500);
  options.upload_timeout = std::chrono::milliseconds(1200);
  Start(options);
  int fd = maillage::testing::ConnectFrom("127.0.0.1", port_);
  ASSERT_TRUE(SendAll(fd, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx"));
  const auto start = std::chrono::steady_clock::now();
  bool open = true;
  for (int i = 0; i < 40 && open; ++i) {  // a byte every 200 ms, for 8 s at most
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    open = SendAll(fd, "x") && std::string(last_outcome_.load()).empty();
  }
  EXPECT_STREQ(last_outcome_.load(), "failed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_GE(listener_->stats().timed_out.load(), 1);
  EXPECT_EQ(listener_->stats().uploads_in_progress.load(), 0);
  ::close(fd);
}

// Past max_uploads uploads at once, the next one gets 503 before its body is read; a handler
// that answers without reading the body closes the connection after its answer.
TEST_F(UploadListenerTest, UploadsAreCountedAndAnUnreadBodyClosesTheConnection) {
  GuardedListenerOptions options;
  options.max_uploads = 1;
  Start(options);
  int slow = maillage::testing::ConnectFrom("127.0.0.1", port_);
  ASSERT_TRUE(SendAll(slow, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx"));
  std::future<size_t> first = first_chunk_.get_future();
  ASSERT_EQ(first.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  int other = maillage::testing::ConnectFrom("127.0.0.1", port_);
  EXPECT_EQ(maillage::testing::RawExchange(
                other, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\ny",
                std::chrono::seconds(5)),
            503);
  ::close(other);
  EXPECT_EQ(maillage::testing::RawExchange(slow, std::string(99, 'x'), std::chrono::seconds(5)),
            200);
  ::close(slow);

  int refused = maillage::testing::ConnectFrom("127.0.0.1", port_);
  EXPECT_EQ(maillage::testing::RawExchange(
                refused, "POST /upload/refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n",
                std::chrono::seconds(5)),
            415);
  // The unread body would be taken for a request: the listener closed the connection.
  char byte;
  EXPECT_LE(::recv(refused, &byte, 1, 0), 0);
  ::close(refused);
}

// A request the inline handler takes is answered later from another thread, without a worker:
// with the only worker held by a blocked request and no queue, it still gets its answer (a
// worker's request would get 503), twice on one keep-alive connection, and logged once each.
TEST(InlineHandlerTest, ATakenRequestIsAnsweredWithoutAWorker) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> answered{0};
  std::vector<std::thread> answering;
  std::mutex answering_mu;
  GuardedListenerOptions options;
  options.threads = 1;
  options.max_queued = 0;
  options.on_answered = [&](const HttpRequest& request, const HttpResponse&, size_t) {
    if (request.target == "/inline") answered.fetch_add(1);
  };
  options.inline_handler = [&](const std::shared_ptr<const HttpRequest>& request,
                               HttpAnswer answer) {
    if (request->target != "/inline") return false;
    std::lock_guard<std::mutex> lock(answering_mu);
    answering.emplace_back([answer = std::move(answer)] {
      HttpResponse response;
      response.set_content("later", "text/plain");
      answer(std::move(response));
    });
    return true;
  };
  GuardedListener listener(
      [&](const HttpRequest&, HttpResponse& response) {
        released.wait();
        response.set_content("worker", "text/plain");
      },
      options);
  absl::StatusOr<int> port = listener.Start("127.0.0.1", 0);
  ASSERT_THAT(port, IsOk());

  int blocked = maillage::testing::ConnectFrom("127.0.0.1", *port);
  ASSERT_TRUE(SendAll(blocked, "GET /blocked HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the worker takes it
  int busy = maillage::testing::ConnectFrom("127.0.0.1", *port);
  EXPECT_EQ(maillage::testing::RawExchange(busy, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n",
                                           std::chrono::seconds(5)),
            503);
  ::close(busy);
  int fd = maillage::testing::ConnectFrom("127.0.0.1", *port);
  for (int i = 0; i < 2; ++i) {
    std::string body;
    EXPECT_EQ(maillage::testing::RawExchange(fd, "GET /inline HTTP/1.1\r\nHost: x\r\n\r\n",
                                             std::chrono::seconds(5), &body),
              200);
    EXPECT_EQ(body, "later");
  }
  ::close(fd);
  EXPECT_EQ(answered.load(), 2);
  release.set_value();
  EXPECT_EQ(maillage::testing::RawExchange(blocked, "", std::chrono::seconds(5)), 200);
  ::close(blocked);
  listener.Stop(std::chrono::seconds(1));
  for (std::thread& thread : answering) thread.join();
}

}  // namespace
}  // namespace maillage::gateway
