// maillage-probe: asks a gRPC server for its health (grpc.health.v1.Health/Check).
//
//   maillage-probe [--timeout=2s] [--service=NAME] host:port
//
// Prints one line: SERVING, NOT_SERVING, UNKNOWN_SERVICE: NAME (the server does not know the
// service), or UNREACHABLE: <reason> (no connection or no answer in time). Exits 0 only for
// SERVING, 1 otherwise, 2 on a usage error. Used by the local runner, Docker health checks and
// Kubernetes probes.
//
// When the services use mutual TLS, the probe reads the same MAILLAGE_INTERNAL_TLS_CA_FILE,
// MAILLAGE_INTERNAL_TLS_CERT_FILE and MAILLAGE_INTERNAL_TLS_KEY_FILE as the binary it probes
// (common/server/tls.h): a health check in the container inherits them.
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/config/env.h"
#include "common/server/build_info.h"
#include "common/server/tls.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace {

constexpr char kUsage[] =
    "usage: maillage-probe [--timeout=2s] [--service=NAME] host:port | --version\n"
    "  Checks grpc.health.v1 health; prints SERVING, NOT_SERVING, UNKNOWN_SERVICE: NAME or\n"
    "  UNREACHABLE: reason; exits 0 only when SERVING (1 otherwise, 2 on a usage error).\n";

constexpr int kExitServing = 0;
constexpr int kExitNotServing = 1;
constexpr int kExitUsage = 2;

struct ProbeArgs {
  absl::Duration timeout = absl::Seconds(2);
  std::string service;
  std::string target;
};

int UsageError(const std::string& problem) {
  std::fprintf(stderr, "maillage-probe: %s\n%s", problem.c_str(), kUsage);
  return kExitUsage;
}

int Report(const std::string& line, int code) {
  std::printf("%s\n", line.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (maillage::server::PrintVersionIfAsked(argc, argv)) return 0;
  ProbeArgs args;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return kExitServing;
    }
    if (absl::ConsumePrefix(&arg, "--timeout=")) {
      if (!absl::ParseDuration(arg, &args.timeout) || args.timeout <= absl::ZeroDuration()) {
        return UsageError(absl::StrCat("bad --timeout \"", arg, "\" (expected e.g. 2s, 500ms)"));
      }
    } else if (absl::ConsumePrefix(&arg, "--service=")) {
      args.service = std::string(arg);
    } else if (absl::StartsWith(arg, "-")) {
      return UsageError(absl::StrCat("unknown option ", arg));
    } else if (args.target.empty()) {
      args.target = std::string(arg);
    } else {
      return UsageError("more than one address");
    }
  }
  if (args.target.empty()) return UsageError("missing host:port");

  maillage::config::Env env;
  const maillage::server::TlsFiles tls = maillage::server::ReadInternalTls(env);
  if (absl::Status s = env.Finish(); !s.ok()) return UsageError(std::string(s.message()));
  if (!tls.empty()) {
    if (absl::Status s = maillage::server::CheckTlsFiles(tls, /*for_server=*/false); !s.ok()) {
      return UsageError(std::string(s.message()));
    }
  }
  auto channel = grpc::CreateChannel(args.target, maillage::server::ChannelCredentialsFor(tls));
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + args.timeout));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(args.service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);

  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      if (response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        return Report("SERVING", kExitServing);
      }
      return Report("NOT_SERVING", kExitNotServing);
    case grpc::StatusCode::NOT_FOUND:
      return Report(absl::StrCat("UNKNOWN_SERVICE: ", args.service), kExitNotServing);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Report(absl::StrCat("UNREACHABLE: no answer from ", args.target, " within ",
                                 absl::FormatDuration(args.timeout)),
                    kExitNotServing);
    case grpc::StatusCode::UNAVAILABLE:
      return Report(absl::StrCat("UNREACHABLE: ", status.error_message()), kExitNotServing);
    default:
      return Report(absl::StrCat("UNREACHABLE: health check failed with gRPC code ",
                                 status.error_code(), ": ", status.error_message()),
                    kExitNotServing);
  }
}
