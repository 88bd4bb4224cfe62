#include "common/config/env.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace maillage::config {

Env::Env()
    : lookup_([](absl::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr || *value == '\0') return std::nullopt;
        return std::string(value);
      }) {}

Env::Env(std::map<std::string, std::string> vars)
    : lookup_([vars = std::move(vars)](absl::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end() || it->second.empty()) return std::nullopt;
        return it->second;
      }) {}

bool IsPublishedSecret(absl::string_view value) {
  // deploy/k8s/secrets.example.yaml writes every placeholder with CHANGE-ME (config_test reads
  // that file and checks each one is refused).
  const std::string lower = absl::AsciiStrToLower(value);
  return absl::StrContains(lower, "change-me") || absl::StrContains(lower, "changeme") ||
         absl::StrContains(lower, "change_me");
}

std::optional<std::string> Env::Get(absl::string_view name) {
  std::optional<std::string> value = lookup_(name);
  if (value.has_value() && IsPublishedSecret(*value)) {
    Fail(name,
         ": holds an example placeholder published in this repository (CHANGE-ME..., "
         "deploy/k8s/secrets.example.yaml): set a secret of your own, e.g. openssl rand "
         "-hex 32");
  }
  return value;  // unusable when refused: Finish() fails
}

void Env::RefusePublishedSecret(absl::string_view name) { Get(name); }

void Env::Fail(absl::string_view name, absl::string_view problem) {
  errors_.push_back(absl::StrCat(name, problem));
}

std::string Env::String(absl::string_view name, absl::string_view fallback) {
  return Get(name).value_or(std::string(fallback));
}

std::string Env::Required(absl::string_view name) {
  std::optional<std::string> value = Get(name);
  if (!value) {
    Fail(name, " is required and not set");
    return "";
  }
  return *value;
}

std::string Env::Secret(absl::string_view name, size_t min_length) {
  std::optional<std::string> value = Get(name);
  if (!value) {
    Fail(name, " is required and not set");
    return "";
  }
  if (value->size() < min_length) {
    Fail(name, absl::StrCat(": too short (", value->size(), " bytes; at least ", min_length,
                            " needed, e.g. openssl rand -hex 32)"));
    return "";
  }
  return *value;
}

int Env::Int(absl::string_view name, int fallback, int min, int max) {
  std::optional<std::string> value = Get(name);
  if (!value) return fallback;
  int parsed = 0;
  if (!absl::SimpleAtoi(*value, &parsed) || parsed < min || parsed > max) {
    Fail(name, absl::StrCat("=", *value, ": expected an integer from ", min, " to ", max));
    return fallback;
  }
  return parsed;
}

bool Env::Bool(absl::string_view name, bool fallback) {
  std::optional<std::string> value = Get(name);
  if (!value) return fallback;
  std::string v = absl::AsciiStrToLower(*value);
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  Fail(name, absl::StrCat("=", *value, ": expected true or false"));
  return fallback;
}

std::chrono::milliseconds Env::Duration(absl::string_view name,
                                        std::chrono::milliseconds fallback) {
  std::optional<std::string> value = Get(name);
  if (!value) return fallback;
  absl::string_view v = *value;
  int64_t factor = 1;
  if (absl::ConsumeSuffix(&v, "ms")) {
    factor = 1;
  } else if (absl::ConsumeSuffix(&v, "s")) {
    factor = 1000;
  } else if (absl::ConsumeSuffix(&v, "m")) {
    factor = 60'000;
  }
  int64_t amount = 0;
  if (!absl::SimpleAtoi(v, &amount) || amount < 0 || amount > 86'400'000 / factor) {
    Fail(name, absl::StrCat("=", *value, ": expected a duration such as 250ms, 5s or 2m"));
    return fallback;
  }
  return std::chrono::milliseconds(amount * factor);
}

std::string Env::OneOf(absl::string_view name, absl::string_view fallback,
                       const std::vector<std::string>& allowed) {
  std::string value = String(name, fallback);
  for (const std::string& a : allowed) {
    if (a == value) return value;
  }
  Fail(name, absl::StrCat("=", value, ": expected one of ", absl::StrJoin(allowed, ", ")));
  return std::string(fallback);
}

absl::Status Env::Finish() const {
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("configuration: ", absl::StrJoin(errors_, "; ")));
}

}  // namespace maillage::config
