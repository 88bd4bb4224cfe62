// Small conversions shared by the budget stores: timestamps, optional amounts, protos kept in
// bytea columns.
#pragma once

#include <algorithm>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/escaping.h"
#include "google/protobuf/timestamp.pb.h"

namespace maillage::budget {

// SQL of a timestamptz column read as microseconds since the epoch.
#define MAILLAGE_BUDGET_MICROS(column) "(extract(epoch from " column ") * 1000000)::bigint"

inline void SetMicros(google::protobuf::Timestamp* out, const pqxx::field& micros) {
  if (micros.is_null()) return;
  int64_t us = micros.as<int64_t>();
  out->set_seconds(us / 1000000);
  out->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
}

// "" (read back as NULL through NULLIF) when absent.
inline std::string OptionalNumber(bool has, int64_t value) {
  return has ? std::to_string(value) : std::string();
}

// A serialized message as base64 text, for `decode($n, 'base64')`, and back from
// `encode(column, 'base64')`.
inline std::string ToBase64(const google::protobuf::Message& message) {
  return absl::Base64Escape(message.SerializeAsString());
}
inline bool FromBase64(const pqxx::field& field, google::protobuf::Message* message) {
  std::string bytes;
  std::string text = field.c_str();
  text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
  return absl::Base64Unescape(text, &bytes) && message->ParseFromString(bytes);
}

}  // namespace maillage::budget
