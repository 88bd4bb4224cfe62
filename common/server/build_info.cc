#include "common/server/build_info.h"

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/common.h"
#include "grpcpp/grpcpp.h"
#include "libpq-fe.h"
#include "openssl/crypto.h"
#include "pqxx/version.hxx"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace maillage::server {
namespace build_info_generated {
// Defined in the generated build_info_values.cc (generate_build_info.cmake).
extern const char kVersion[];
extern const char kRevision[];
extern const char kBuildType[];
}  // namespace build_info_generated

const BuildInfo& GetBuildInfo() {
  static const BuildInfo* const kInfo =
      new BuildInfo{build_info_generated::kVersion, build_info_generated::kRevision,
                    build_info_generated::kBuildType};
  return *kInfo;
}

namespace {

// PQlibVersion(): 150013 -> "15.13".
std::string LibpqVersion() {
  int v = PQlibVersion();
  return absl::StrCat(v / 10000, ".", v % 10000);
}

}  // namespace

std::string VersionText(const std::string& program) {
  const BuildInfo& info = GetBuildInfo();
  return absl::StrCat(program, " ", info.version, " (revision ", info.revision, ", ",
                      info.build_type, ")\n", "  gRPC ", grpc::Version(), "\n", "  protobuf ",
                      google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION), "\n",
                      "  libpq ", LibpqVersion(), "\n", "  libpqxx ", PQXX_VERSION, "\n",
                      "  OpenSSL ", OpenSSL_version(OPENSSL_VERSION_STRING), "\n");
}

void RegisterBuildInfoMetric(prometheus::Registry& registry) {
  const BuildInfo& info = GetBuildInfo();
  prometheus::BuildGauge()
      .Name("maillage_build_info")
      .Help("The running binary's version, revision and build type (value 1)")
      .Register(registry)
      .Add(
          {{"version", info.version}, {"revision", info.revision}, {"build_type", info.build_type}})
      .Set(1);
}

bool PrintVersionIfAsked(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--version") != 0) return false;
  const char* slash = std::strrchr(argv[0], '/');
  std::fputs(VersionText(slash != nullptr ? slash + 1 : argv[0]).c_str(), stdout);
  return true;
}

}  // namespace maillage::server
