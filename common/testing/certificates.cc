#include "common/testing/certificates.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "absl/strings/str_cat.h"

namespace maillage::testing {
namespace {

void Run(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (pclose(pipe) != 0) throw std::runtime_error(command + " failed:\n" + output);
}

// A CA: key and self-signed certificate DIR/NAME.key, DIR/NAME.crt.
void MakeCa(const std::string& dir, const std::string& name) {
  Run(absl::StrCat("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ",
                   "-days 2 -subj /CN=", name, " -keyout ", dir, "/", name, ".key -out ", dir, "/",
                   name, ".crt"));
}

// A leaf DIR/NAME.{key,crt} issued by the CA DIR/CA.{key,crt}, valid for localhost and
// 127.0.0.1, usable as a server and as a client certificate.
void MakeLeaf(const std::string& dir, const std::string& ca, const std::string& name) {
  const std::string base = absl::StrCat(dir, "/", name);
  Run(absl::StrCat("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ",
                   "-subj /CN=", name, " -keyout ", base, ".key -out ", base, ".csr"));
  Run(absl::StrCat("printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n",
                   "extendedKeyUsage=serverAuth,clientAuth\\n' > ", base, ".ext"));
  Run(absl::StrCat("openssl x509 -req -in ", base, ".csr -CA ", dir, "/", ca, ".crt -CAkey ", dir,
                   "/", ca, ".key -CAcreateserial -days 2 -extfile ", base, ".ext -out ", base,
                   ".crt"));
}

}  // namespace

TestCertificates MakeTestCertificates() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/maillage-tls-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  TestCertificates certs;
  certs.dir = pattern;
  MakeCa(certs.dir, "ca");
  MakeLeaf(certs.dir, "ca", "server");
  MakeLeaf(certs.dir, "ca", "client");
  MakeCa(certs.dir, "foreign-ca");
  MakeLeaf(certs.dir, "foreign-ca", "foreign");
  auto file = [&](const char* name) { return absl::StrCat(certs.dir, "/", name); };
  certs.ca = file("ca.crt");
  certs.server_cert = file("server.crt");
  certs.server_key = file("server.key");
  certs.client_cert = file("client.crt");
  certs.client_key = file("client.key");
  certs.foreign_ca = file("foreign-ca.crt");
  certs.foreign_cert = file("foreign.crt");
  certs.foreign_key = file("foreign.key");
  return certs;
}

}  // namespace maillage::testing
