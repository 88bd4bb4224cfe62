// maillage-seed --directory=HOST:PORT --meetings=HOST:PORT --budget=HOST:PORT --data=DIR
//
// Loads the seed data (see seed.h) in dependency order: directory, budget, then meetings.
// Prints one line per part; exits 1 on the first failure, 2 on a usage error.
//
// It talks to the services directly, as the gateway does: MAILLAGE_PRINCIPAL_SECRET (the
// services' secret) must be set; its calls are signed as an ADMIN principal "tools/seed". When
// the services use mutual TLS, MAILLAGE_INTERNAL_TLS_{CA,CERT,KEY}_FILE give it the installation's
// CA and a certificate of it (common/server/tls.h).
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/auth/caller.h"
#include "common/config/env.h"
#include "common/server/build_info.h"
#include "common/server/client.h"
#include "common/server/tls.h"
#include "tools/seed/seed.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: maillage-seed --directory=HOST:PORT --meetings=HOST:PORT "
               "--budget=HOST:PORT --data=DIR\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (maillage::server::PrintVersionIfAsked(argc, argv)) return 0;
  std::string directory, meetings, budget, data;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--directory=")) {
      directory = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--meetings=")) {
      meetings = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--budget=")) {
      budget = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--data=")) {
      data = std::string(arg);
    } else {
      return Usage();
    }
  }
  if (directory.empty() || meetings.empty() || budget.empty() || data.empty()) return Usage();
  maillage::config::Env env;
  std::string secret = env.Secret("MAILLAGE_PRINCIPAL_SECRET", maillage::auth::kMinSecretLength);
  maillage::server::SetInternalTls(maillage::server::ReadInternalTls(env));
  if (absl::Status s = env.Finish(); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  maillage::auth::SetProcessSecret(secret);
  maillage::auth::SetDefaultCaller(
      maillage::auth::Principal{"tools/seed", maillage::gateway::v1::ROLE_ADMIN, 0, ""});

  maillage::seed::SeedContext context{data, maillage::server::MakeChannel(directory),
                                      maillage::server::MakeChannel(meetings),
                                      maillage::server::MakeChannel(budget)};
  struct Part {
    const char* name;
    absl::Status (*run)(const maillage::seed::SeedContext&);
  } parts[] = {{"directory", maillage::seed::SeedDirectory},
               {"budget", maillage::seed::SeedBudget},
               {"grants", maillage::seed::SeedGrants},
               {"meetings", maillage::seed::SeedMeetings}};
  for (const Part& part : parts) {
    absl::Status status = part.run(context);
    if (!status.ok()) {
      std::fprintf(stderr, "seed %s: %s\n", part.name, status.ToString().c_str());
      return 1;
    }
  }
  return 0;
}
