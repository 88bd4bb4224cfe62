// TLS credentials from files (see tls.h).
#include "common/server/tls.h"

#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace maillage::server {
namespace {

constexpr char kDomain[] = "maillage";

std::mutex internal_mu;
TlsFiles* internal_tls = new TlsFiles();

// OK when `path` can be read and holds a PEM block of `kind` ("CERTIFICATE", "PRIVATE KEY").
absl::Status CheckPem(const std::string& variable, const std::string& path,
                      absl::string_view kind) {
  std::ifstream file(path);
  if (!file) {
    return FailedPrecondition(kDomain, "TLS_FILE_UNREADABLE",
                              absl::StrCat(variable, "=", path, ": cannot read the file"));
  }
  std::stringstream text;
  text << file.rdbuf();
  if (!absl::StrContains(text.str(), "-----BEGIN ") ||
      !absl::StrContains(text.str(), absl::StrCat(kind, "-----"))) {
    return FailedPrecondition(kDomain, "TLS_FILE_INVALID",
                              absl::StrCat(variable, "=", path, ": no PEM ", kind, " in it"));
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> Provider(
    const TlsFiles& files) {
  return std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.key_file, files.cert_file, files.ca_file, files.refresh_seconds);
}

}  // namespace

TlsFiles ReadInternalTls(config::Env& env) {
  TlsFiles files;
  files.ca_file = env.String("MAILLAGE_INTERNAL_TLS_CA_FILE", "");
  files.cert_file = env.String("MAILLAGE_INTERNAL_TLS_CERT_FILE", "");
  files.key_file = env.String("MAILLAGE_INTERNAL_TLS_KEY_FILE", "");
  if (files.empty()) return files;
  for (const auto& [name, value] : {std::pair{"MAILLAGE_INTERNAL_TLS_CA_FILE", &files.ca_file},
                                    std::pair{"MAILLAGE_INTERNAL_TLS_CERT_FILE", &files.cert_file},
                                    std::pair{"MAILLAGE_INTERNAL_TLS_KEY_FILE", &files.key_file}}) {
    if (value->empty()) {
      // Env records it: a required variable once one of the three is set.
      env.Required(name);
    }
  }
  return files;
}

absl::Status CheckTlsFiles(const TlsFiles& files, bool for_server) {
  if (files.cert_file.empty() != files.key_file.empty()) {
    return FailedPrecondition(kDomain, "TLS_FILES_INCOMPLETE",
                              "a TLS certificate needs its key and a key its certificate");
  }
  if (for_server && files.cert_file.empty()) {
    return FailedPrecondition(kDomain, "TLS_FILES_INCOMPLETE",
                              "a TLS listener needs a certificate and its key");
  }
  if (!for_server && files.ca_file.empty()) {
    return FailedPrecondition(kDomain, "TLS_FILES_INCOMPLETE",
                              "a TLS channel needs the CA that issued the server's certificate");
  }
  if (!files.cert_file.empty()) {
    if (absl::Status s = CheckPem("certificate", files.cert_file, "CERTIFICATE"); !s.ok()) return s;
    if (absl::Status s = CheckPem("key", files.key_file, "PRIVATE KEY"); !s.ok()) return s;
  }
  if (!files.ca_file.empty()) return CheckPem("CA", files.ca_file, "CERTIFICATE");
  return absl::OkStatus();
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsFiles& files) {
  if (files.empty()) return grpc::InsecureServerCredentials();
  grpc::experimental::TlsServerCredentialsOptions options(Provider(files));
  options.watch_identity_key_cert_pairs();
  if (!files.ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsFiles& files) {
  if (files.empty()) return grpc::InsecureChannelCredentials();
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(Provider(files));
  options.watch_root_certs();
  if (!files.cert_file.empty()) options.watch_identity_key_cert_pairs();
  // The chain is verified against the private CA; no host name check (see tls.h).
  options.set_verify_server_certs(true);
  options.set_check_call_host(false);
  options.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

void SetInternalTls(TlsFiles files) {
  std::lock_guard<std::mutex> lock(internal_mu);
  *internal_tls = std::move(files);
}

TlsFiles InternalTls() {
  std::lock_guard<std::mutex> lock(internal_mu);
  return *internal_tls;
}

}  // namespace maillage::server
