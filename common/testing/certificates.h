// Certificates made at test time with the openssl command, in a fresh temporary folder: a
// private CA with a server and a client certificate it issued (as deploy/README.md makes them
// for an installation), and a second, foreign CA with a client certificate of its own.
//
//   maillage::testing::TestCertificates certs = maillage::testing::MakeTestCertificates();
//   options.tls = {certs.server_cert, certs.server_key, certs.ca};
#pragma once

#include <string>

#include "common/server/tls.h"

namespace maillage::testing {

struct TestCertificates {
  std::string dir;
  std::string ca;                         // the installation's CA certificate
  std::string server_cert, server_key;    // issued by `ca`, for localhost and 127.0.0.1
  std::string client_cert, client_key;    // issued by `ca`
  std::string foreign_ca;                 // another CA
  std::string foreign_cert, foreign_key;  // issued by `foreign_ca`, for localhost, 127.0.0.1

  // The files of a listener or channel of the installation (mutual TLS).
  server::TlsFiles Server() const { return {server_cert, server_key, ca}; }
  server::TlsFiles Client() const { return {client_cert, client_key, ca}; }
};

// Makes them in a new folder under TMPDIR (or /tmp); throws std::runtime_error with openssl's
// output when a command fails.
TestCertificates MakeTestCertificates();

}  // namespace maillage::testing
