// TLS for maillage's gRPC listeners and channels, from PEM files that are re-read when they
// change (certificate rotation without a restart).
//
//   // a service: mutual TLS with the private CA of the installation
//   options.tls = server::ReadInternalTls(env);  // MAILLAGE_INTERNAL_TLS_{CA,CERT,KEY}_FILE
//   server::SetInternalTls(options.tls);         // the channels of MakeChannel (client.h) too
//
//   // the gateway's public port: TLS with the public certificate, no client certificate
//   public_options.tls = {env.String("MAILLAGE_TLS_CERT_FILE", ""),
//                         env.String("MAILLAGE_TLS_KEY_FILE", "")};
//
// A listener with a certificate and key serves TLS; with a CA too, it asks every client for a
// certificate and accepts only one issued by that CA (mutual TLS). A channel with a CA trusts
// only servers whose certificate that CA issued, and presents its own certificate when it has
// one. Host names are not compared with the certificates: the internal CA is private to one
// installation (deploy/README.md makes one with openssl), so every certificate it issued is a
// maillage binary of that installation, whatever address (replica IP, service name) it is
// reached at.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/config/env.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace maillage::server {

struct TlsFiles {
  std::string cert_file;  // this side's certificate (chain), PEM
  std::string key_file;   // its private key, PEM
  std::string ca_file;    // the CA that issued the peers' certificates, PEM
  // How often the files are checked for changes.
  unsigned refresh_seconds = 30;

  // No file at all: plaintext.
  bool empty() const { return cert_file.empty() && key_file.empty() && ca_file.empty(); }
};

// The internal mutual TLS from MAILLAGE_INTERNAL_TLS_CA_FILE, MAILLAGE_INTERNAL_TLS_CERT_FILE
// and MAILLAGE_INTERNAL_TLS_KEY_FILE: all three, or none (plaintext). A partial set is recorded
// as an error in `env` (see config::Env::Finish).
TlsFiles ReadInternalTls(config::Env& env);

// OK when `files` is usable by a listener (`for_server`: certificate and key, CA optional) or a
// channel (CA required, certificate and key together or not at all), each file readable and
// holding PEM; FAILED_PRECONDITION naming the file and what is wrong otherwise.
absl::Status CheckTlsFiles(const TlsFiles& files, bool for_server);

// Credentials of a listener: plaintext when `files` is empty, TLS with the certificate, mutual
// TLS (client certificate required and verified against the CA) when a CA is given.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsFiles& files);

// Credentials of a channel: plaintext when `files` is empty, else TLS verifying the server
// against the CA and presenting the certificate when there is one.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsFiles& files);

// The TLS of every channel server::MakeChannel makes from now on (empty: plaintext, the
// default). Set once at start-up, before the first channel.
void SetInternalTls(TlsFiles files);
TlsFiles InternalTls();

}  // namespace maillage::server
