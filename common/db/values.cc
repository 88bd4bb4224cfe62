// Conversions between protobuf values and SQL text (see values.h).
#include "common/db/values.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace maillage::db {

int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

google::protobuf::Timestamp TimestampOf(int64_t micros) {
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

std::string TimeParam(int n) {
  return absl::StrCat("('epoch'::timestamptz + $", n, "::bigint * interval '1 microsecond')");
}

std::optional<absl::Time> ReadTime(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return absl::FromUnixMicros(field.as<int64_t>());
}

bool ReadMicros(const pqxx::field& field, google::protobuf::Timestamp* out) {
  if (field.is_null()) return false;
  *out = TimestampOf(field.as<int64_t>());
  return true;
}

std::string DateParam(bool present, const google::type::Date& date) {
  if (!present) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

bool ParseIsoDate(absl::string_view text, google::type::Date* date) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  int y = 0, m = 0, d = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d)) {
    return false;
  }
  date->set_year(y);
  date->set_month(m);
  date->set_day(d);
  return true;
}

bool ReadDate(const pqxx::field& field, google::type::Date* date) {
  return !field.is_null() && ParseIsoDate(field.c_str(), date);
}

std::vector<std::string> ReadTextArray(const pqxx::field& field) {
  std::vector<std::string> values;
  if (field.is_null()) return values;
  pqxx::array_parser parser = field.as_array();
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value) values.push_back(item.second);
  }
  return values;
}

std::string OptionalNumber(bool has, int64_t value) {
  return has ? absl::StrCat(value) : std::string();
}

std::string ToBase64(const google::protobuf::Message& message) {
  return absl::Base64Escape(message.SerializeAsString());
}

bool FromBase64(const pqxx::field& field, google::protobuf::Message* message) {
  std::string text = field.c_str();
  text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
  std::string bytes;
  return absl::Base64Unescape(text, &bytes) && message->ParseFromString(bytes);
}

}  // namespace maillage::db
