// Configuration from environment variables, with every problem reported at once.
//
//   maillage::config::Env env;                       // reads ::getenv
//   int port = env.Port("MAILLAGE_GRPC_PORT", 9101);
//   std::string url = env.Required("MAILLAGE_DATABASE_URL");
//   if (absl::Status s = env.Finish(); !s.ok()) { print s.message(); exit 2; }
//
// Finish() returns INVALID_ARGUMENT with one line naming every bad or missing variable, its
// value and what was expected; it never throws and never prints a stack trace.
//
// Every value read is also checked against the secrets this repository publishes (the
// placeholders of deploy/k8s/secrets.example.yaml, IsPublishedSecret): a binary started with
// one, as a secret or inside another value (a database URL's password), refuses to start,
// naming the variable and never showing the value.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace maillage::config {

// True when `value` holds a secret that anyone can read in this repository: an example
// placeholder ("CHANGE-ME-example-only"..., any text containing "CHANGE-ME" or "CHANGEME" in
// any case), so that an installation copied from the examples does not run with it.
bool IsPublishedSecret(absl::string_view value);

class Env {
 public:
  // Reads the process environment.
  Env();
  // Reads `vars` instead (tests).
  explicit Env(std::map<std::string, std::string> vars);

  // The value, or `fallback` when unset or empty.
  std::string String(absl::string_view name, absl::string_view fallback);
  // The value; records an error when unset or empty.
  std::string Required(absl::string_view name);
  // A secret of at least `min_length` bytes; records an error (never showing the value) when
  // unset, empty or shorter.
  std::string Secret(absl::string_view name, size_t min_length);
  // An integer in [min, max]; `fallback` when unset; records an error otherwise.
  int Int(absl::string_view name, int fallback, int min, int max);
  // A TCP port (0 allowed: the system picks one).
  int Port(absl::string_view name, int fallback) { return Int(name, fallback, 0, 65535); }
  // true/false/1/0/yes/no/on/off.
  bool Bool(absl::string_view name, bool fallback);
  // A duration in milliseconds written "250ms", "5s", "2m" or a bare number of milliseconds.
  std::chrono::milliseconds Duration(absl::string_view name, std::chrono::milliseconds fallback);
  // One of `allowed`.
  std::string OneOf(absl::string_view name, absl::string_view fallback,
                    const std::vector<std::string>& allowed);

  // Records an error when `name` is set to a published secret (IsPublishedSecret): for secrets
  // that the binary does not read itself but a library does (PGPASSWORD for libpq).
  void RefusePublishedSecret(absl::string_view name);

  // OK, or INVALID_ARGUMENT "configuration: NAME=value: expected ...; OTHER: required".
  absl::Status Finish() const;

 private:
  // The value of `name`; records an error when it holds a published secret.
  std::optional<std::string> Get(absl::string_view name);
  void Fail(absl::string_view name, absl::string_view problem);

  std::function<std::optional<std::string>(absl::string_view)> lookup_;
  std::vector<std::string> errors_;
};

}  // namespace maillage::config
