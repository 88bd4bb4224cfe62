// Conversions between the values the meetings store reads and writes (microseconds since the
// epoch, enum names as text) and their protobuf forms.
#pragma once

#include <chrono>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/timestamp.pb.h"

namespace maillage::meetings {

// SQL reading a timestamptz column as microseconds since the epoch.
#define MAILLAGE_MICROS(column) "(extract(epoch from " column ") * 1000000)::bigint"

// SQL turning parameter $n (microseconds since the epoch, as text) into a timestamptz.
inline std::string TimeParam(int n) {
  return absl::StrCat("('epoch'::timestamptz + $", n, "::bigint * interval '1 microsecond')");
}

inline int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

inline google::protobuf::Timestamp TimestampOf(int64_t micros) {
  google::protobuf::Timestamp t;
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  t.set_seconds(seconds);
  t.set_nanos(static_cast<int32_t>(rest * 1000));
  return t;
}

inline int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sets `*out` from a nullable microseconds field; leaves it unset when NULL.
inline void ReadTime(const pqxx::field& field, google::protobuf::Timestamp* out) {
  if (!field.is_null()) *out = TimestampOf(field.as<int64_t>());
}

}  // namespace maillage::meetings
