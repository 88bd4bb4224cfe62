// Conversions between protobuf values and SQL text (see pg_values.h).
#include "services/directory/pg_values.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace maillage::directory {

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

std::string DateParam(bool present, const google::type::Date& date) {
  if (!present) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

bool ReadDate(const pqxx::field& field, google::type::Date* date) {
  if (field.is_null()) return false;
  std::vector<absl::string_view> parts = absl::StrSplit(field.c_str(), '-');
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

bool ReadMicros(const pqxx::field& field, google::protobuf::Timestamp* timestamp) {
  if (field.is_null()) return false;
  int64_t micros = field.as<int64_t>();
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(static_cast<int32_t>(rest * 1000));
  return true;
}

std::string MicrosSql(absl::string_view column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000000)::bigint");
}

}  // namespace maillage::directory
