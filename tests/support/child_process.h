// A child process for tests that run the real binaries: started with its own environment,
// output appended to a log file, stopped with a signal. The destructor kills what is still
// running, so a failing test leaves no process behind.
//
//   ChildProcess directory(BinaryPath("maillage-directory"),
//                          {{"MAILLAGE_DATABASE_URL", url}, {"MAILLAGE_GRPC_PORT", "0"}},
//                          "/tmp/x/directory.log");
//   ... directory.Signal(SIGTERM); int code = directory.Wait(std::chrono::seconds(15));
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace maillage::testing {

class ChildProcess {
 public:
  // Starts `binary` with `args`, the current environment plus `env` (which wins), stdout and
  // stderr appended to `log_path`. Throws std::runtime_error when it cannot be started.
  ChildProcess(const std::string& binary, const std::map<std::string, std::string>& env,
               const std::string& log_path, const std::vector<std::string>& args = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int signal);
  // The exit code (128 + signal when killed), or -1 when still running after `timeout`.
  int Wait(std::chrono::milliseconds timeout);
  // The log written so far.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

// A TCP port free on 127.0.0.1 at the time of the call.
int FreePort();

// Runs `command` through /bin/sh and returns its exit code and output (stdout and stderr).
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult RunCommand(const std::string& command);

}  // namespace maillage::testing
