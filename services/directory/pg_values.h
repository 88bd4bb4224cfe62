// Conversions between protobuf values and the text parameters and columns of the directory's
// SQL: PostgreSQL array literals, dates, microsecond timestamps.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"

namespace maillage::directory {

// A PostgreSQL array literal ({"a","b"}) of `values`, for a `$n::text[]` parameter.
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

// The elements of a text[] column (NULL elements skipped).
std::vector<std::string> ReadTextArray(const pqxx::field& field);

// "YYYY-MM-DD" of `date`; "" when `present` is false (for NULLIF($n, '')::date).
std::string DateParam(bool present, const google::type::Date& date);

// Fills `date` from a `date` column read as text; false when NULL.
bool ReadDate(const pqxx::field& field, google::type::Date* date);

// Sets `timestamp` from a column holding microseconds since the epoch; false when NULL.
bool ReadMicros(const pqxx::field& field, google::protobuf::Timestamp* timestamp);

// The SQL that reads a timestamptz column as microseconds since the epoch.
std::string MicrosSql(absl::string_view column);

}  // namespace maillage::directory
