#include "common/log/log.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/log_buffer.h"
#include "gtest/gtest.h"

namespace maillage::log {
namespace {

TEST(LogTest, FormatsOneJsonObject) {
  EXPECT_EQ(FormatLine("2026-01-01T00:00:00.000000Z", Level::kWarn, "directory", "slow query",
                       {{"ms", "120"}}),
            R"({"ts":"2026-01-01T00:00:00.000000Z","level":"warn","service":"directory",)"
            R"("msg":"slow query","ms":"120"})");
}

TEST(LogTest, EscapesControlCharactersAndInvalidUtf8) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\x01 é \xff");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001 é \xEF\xBF\xBD\"");
}

TEST(LogTest, RequestContextIsScoped) {
  EXPECT_EQ(CurrentRequestId(), "");
  {
    ScopedRequestContext outer("r1", "t1");
    EXPECT_EQ(CurrentRequestId(), "r1");
    {
      ScopedRequestContext inner("r2", "");
      EXPECT_EQ(CurrentRequestId(), "r2");
    }
    EXPECT_EQ(CurrentRequestId(), "r1");
    EXPECT_EQ(CurrentTraceparent(), "t1");
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

TEST(LogTest, CopiesPlainRunsAndEscapesBetweenThem) {
  std::string out;
  AppendJsonString(out,
                   "GET /v1/actors/42\t\x7F"
                   "caf\xC3\xA9 \xF0\x9F\x8E\x89 \x80 fin");
  EXPECT_EQ(out, "\"GET /v1/actors/42\\t\\u007fcaf\xC3\xA9 \xF0\x9F\x8E\x89 \xEF\xBF\xBD fin\"");
  out.clear();
  AppendJsonString(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(LogTest, EnabledFollowsTheMinimumLevel) {
  Init("log_test", "warn");
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kWarn));
  EXPECT_TRUE(Enabled(Level::kError));
  Init("log_test", "debug");
  EXPECT_TRUE(Enabled(Level::kDebug));
  Init("log_test", "info");
  EXPECT_FALSE(Enabled(Level::kDebug));
  EXPECT_TRUE(Enabled(Level::kInfo));
}

// Runs `body` in a child process whose stderr is a pipe; what it wrote there.
std::string StderrOfChild(const std::function<void()>& body) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    body();
    _exit(3);  // body ends the process itself
  }
  close(fds[1]);
  std::string out;
  char chunk[4096];
  for (ssize_t n; (n = read(fds[0], chunk, sizeof chunk)) > 0;) out.append(chunk, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return out;
}

// The "msg" of each line of `out`, in order.
std::vector<std::string> Messages(const std::string& out) {
  std::vector<std::string> messages;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    const size_t at = line.find(R"("msg":")");
    if (at == absl::string_view::npos) continue;
    absl::string_view rest = line.substr(at + 7);
    messages.emplace_back(rest.substr(0, rest.find('"')));
  }
  return messages;
}

TEST(LogBufferTest, LinesWaitingAreWrittenInOrderAtExit) {
  const std::string out = StderrOfChild([] {
    BufferLines(std::chrono::hours(1));
    for (int i = 0; i < 2000; ++i) Info(absl::StrCat("line ", i), {{"k", "v"}});
    std::exit(0);  // a clean stop: the lines still waiting go out at exit
  });
  const std::vector<std::string> messages = Messages(out);
  ASSERT_EQ(messages.size(), 2000u) << out.substr(0, 500);
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(messages[i], absl::StrCat("line ", i));
}

TEST(LogBufferTest, AWarningIsWrittenAtOnceAfterTheLinesBeforeIt) {
  const std::string out = StderrOfChild([] {
    BufferLines(std::chrono::hours(1));
    Info("first");
    Info("second");
    Warn("third");
    Info("fourth");  // still waiting when the process dies without exit()
    _exit(0);
  });
  EXPECT_EQ(Messages(out), (std::vector<std::string>{"first", "second", "third"}));
}

TEST(LogBufferTest, WaitingLinesAreWrittenOnTheTimer) {
  const std::string out = StderrOfChild([] {
    BufferLines(std::chrono::milliseconds(20));
    Info("waiting");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    _exit(0);
  });
  EXPECT_EQ(Messages(out), (std::vector<std::string>{"waiting"}));
}

TEST(LogBufferTest, StopBufferingWritesTheLinesAndEachLineAfterIt) {
  const std::string out = StderrOfChild([] {
    BufferLines(std::chrono::hours(1));
    Info("buffered");
    StopBuffering();
    Info("direct");
    _exit(0);
  });
  EXPECT_EQ(Messages(out), (std::vector<std::string>{"buffered", "direct"}));
}

}  // namespace
}  // namespace maillage::log
