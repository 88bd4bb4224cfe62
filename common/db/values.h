// Conversions between protobuf values and the text parameters and columns of the services'
// SQL: timestamps as microseconds since the epoch, dates, PostgreSQL text arrays, optional
// numbers, messages kept in bytea columns.
//
//   "SELECT id, " MAILLAGE_SQL_MICROS("create_time") " FROM ..."   → db::ReadMicros(row[1], &t)
//   "UPDATE ... SET start_time = " + db::TimeParam(2)             ← db::MicrosOf(t) as $2
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"

// SQL (a string literal) reading the timestamptz `column` (a string literal) as microseconds
// since the epoch, a bigint.
#define MAILLAGE_SQL_MICROS(column) "(extract(epoch from " column ") * 1000000)::bigint"

namespace maillage::db {

// --- timestamps ----------------------------------------------------------------------------

// Microseconds since the epoch of `t` (sub-microsecond nanos truncated).
int64_t MicrosOf(const google::protobuf::Timestamp& t);

// The Timestamp of `micros` since the epoch; negative values give nanos in [0, 1e9).
google::protobuf::Timestamp TimestampOf(int64_t micros);

// The current time, microseconds since the epoch.
inline int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SQL turning parameter $n (microseconds since the epoch, as text) into a timestamptz.
std::string TimeParam(int n);

// Sets `*out` from a column of microseconds since the epoch (see MAILLAGE_SQL_MICROS) and
// returns true; leaves it untouched and returns false when the column is NULL.
bool ReadMicros(const pqxx::field& field, google::protobuf::Timestamp* out);

// The absl::Time of such a column; nullopt when it is NULL.
std::optional<absl::Time> ReadTime(const pqxx::field& field);

// --- dates ---------------------------------------------------------------------------------

// "YYYY-MM-DD" of `date`; "" when `present` is false (for NULLIF($n, '')::date).
std::string DateParam(bool present, const google::type::Date& date);

// Fills `date` from "YYYY-MM-DD" (numbers only: the calendar is not checked); false otherwise.
bool ParseIsoDate(absl::string_view text, google::type::Date* date);

// Fills `date` from a `date` column read as text; false when NULL or not YYYY-MM-DD.
bool ReadDate(const pqxx::field& field, google::type::Date* date);

// --- arrays --------------------------------------------------------------------------------

// A PostgreSQL array literal ({"a","b"}) of `values`, for a `$n::text[]` parameter. Every
// element is quoted, so commas, braces, quotes and backslashes survive.
template <typename Container>
std::string PgArray(const Container& values) {
  std::string out = "{";
  bool first = true;
  for (const auto& value : values) {
    if (!first) out += ',';
    first = false;
    out += '"';
    for (char c : std::string(value)) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// The elements of a text[] column, in order; NULL elements skipped, NULL column → empty.
std::vector<std::string> ReadTextArray(const pqxx::field& field);

// --- optional values and messages ----------------------------------------------------------

// The decimal text of `value`, or "" when `has` is false (read back as NULL through NULLIF).
std::string OptionalNumber(bool has, int64_t value);

// A serialized message as base64 text, for `decode($n, 'base64')`.
std::string ToBase64(const google::protobuf::Message& message);

// Parses `message` from a column read as `encode(column, 'base64')` (line breaks allowed);
// false when the text is not base64 or not a serialized `message`.
bool FromBase64(const pqxx::field& field, google::protobuf::Message* message);

}  // namespace maillage::db
