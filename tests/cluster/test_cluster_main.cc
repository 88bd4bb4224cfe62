// maillage-test-cluster COMMAND [ARGS...]
//
// Runs COMMAND (e.g. ctest) against one throwaway PostgreSQL cluster: starts a private cluster
// with common/testing's TestPostgres (a copy of an initdb'd template, a free port on 127.0.0.1,
// trust authentication, fsync off, in /dev/shm when roomy), exports its superuser URL as
// MAILLAGE_TEST_DATABASE_URL, runs COMMAND, then stops and deletes the cluster (the cluster's
// watchdog does it if this process is killed). Exits with COMMAND's status (128 + signal when
// a signal ended it). `./deploy/maillage test` runs ctest through it, so that every test
// process shares one cluster instead of starting its own.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>

#include "common/testing/postgres.h"

namespace {

pid_t child_pid = 0;

// SIGINT and SIGTERM go to the command, which decides when to end; we end after it.
void Forward(int signal_number) {
  if (child_pid > 0) kill(child_pid, signal_number);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fprintf(stderr, "usage: maillage-test-cluster COMMAND [ARGS...]\n");
    return 2;
  }
  std::unique_ptr<maillage::testing::TestPostgres> cluster;
  try {
    cluster = maillage::testing::TestPostgres::StartPrivate();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "maillage-test-cluster: the throwaway cluster did not start: %s\n",
                 e.what());
    return 1;
  }
  std::fprintf(stderr, "==> PostgreSQL (throwaway): %s\n", cluster->admin_url().c_str());
  std::fflush(stderr);
  setenv("MAILLAGE_TEST_DATABASE_URL", cluster->admin_url().c_str(), 1);

  struct sigaction action = {};
  action.sa_handler = Forward;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  child_pid = fork();
  if (child_pid < 0) {
    std::perror("maillage-test-cluster: fork");
    return 1;
  }
  if (child_pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(argv[1], argv + 1);
    std::fprintf(stderr, "maillage-test-cluster: cannot run %s: %s\n", argv[1],
                 std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child_pid, &status, 0) < 0) {
    if (errno != EINTR) {
      std::perror("maillage-test-cluster: waitpid");
      return 1;
    }
  }
  cluster.reset();  // stopped and deleted
  std::fprintf(stderr, "==> PostgreSQL (throwaway): stopped and deleted\n");
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
