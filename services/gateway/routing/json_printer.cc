// proto3 JSON by reflection, byte for byte as protobuf 3.21's converter (see json_printer.h).
#include "services/gateway/routing/json_printer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Message types the converter prints as one JSON value rather than as an object.
enum class Kind { kObject, kTimestamp, kDuration, kFieldMask, kWrapper, kDeclined };

Kind KindOf(const Descriptor* type) {
  if (type->file()->package() != "google.protobuf") return Kind::kObject;
  const std::string& name = type->name();
  if (name == "Timestamp") return Kind::kTimestamp;
  if (name == "Duration") return Kind::kDuration;
  if (name == "FieldMask") return Kind::kFieldMask;
  if (name == "DoubleValue" || name == "FloatValue" || name == "Int64Value" ||
      name == "UInt64Value" || name == "Int32Value" || name == "UInt32Value" ||
      name == "BoolValue" || name == "StringValue" || name == "BytesValue") {
    return Kind::kWrapper;
  }
  if (name == "Any" || name == "Struct" || name == "Value" || name == "ListValue") {
    return Kind::kDeclined;
  }
  return Kind::kObject;  // Empty and the like: plain messages
}

// Whether every message reachable from `type` is one this printer handles (cached per thread:
// descriptors live as long as the process).
bool Printable(const Descriptor* type) {
  thread_local std::unordered_map<const Descriptor*, bool> known;
  auto it = known.find(type);
  if (it != known.end()) return it->second;
  const Kind kind = KindOf(type);
  if (kind != Kind::kObject) return known[type] = kind != Kind::kDeclined;
  known[type] = true;  // a recursive type refers to itself: assumed printable while checked
  bool printable = type->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3;
  for (int i = 0; printable && i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->is_map()) printable = false;
    if (printable && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      printable = Printable(field->message_type());
    }
  }
  return known[type] = printable;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendU16(uint32_t unit, std::string& out) {
  const char escaped[6] = {'\\',
                           'u',
                           kHex[(unit >> 12) & 0xF],
                           kHex[(unit >> 8) & 0xF],
                           kHex[(unit >> 4) & 0xF],
                           kHex[unit & 0xF]};
  out.append(escaped, 6);
}

// Code points >= 0xA0 that protobuf escapes (invisible or separators, for JavaScript safety).
bool EscapedAbove9F(uint32_t cp) {
  return cp == 0xAD || (cp >= 0x600 && cp <= 0x603) || cp == 0x6DD || cp == 0x70F || cp == 0x17B4 ||
         cp == 0x17B5 || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF ||
         (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0xE0001 || (cp >= 0x1D173 && cp <= 0x1D17A) ||
         (cp >= 0xE0020 && cp <= 0xE007F);
}

// `text` quoted and escaped; false when it is not valid UTF-8.
bool AppendString(const std::string& text, std::string& out) {
  out.push_back('"');
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    const unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != 0x7F) {
        out.push_back(static_cast<char>(c));
      } else if (c == '"') {
        out.append("\\\"");
      } else if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\b') {
        out.append("\\b");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\f') {
        out.append("\\f");
      } else if (c == '\r') {
        out.append("\\r");
      } else {
        AppendU16(c, out);
      }
      continue;
    }
    int length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (length == 0 || c > 0xF4 || i + length > size) return false;
    uint32_t cp = c & (0x3F >> (length - 1));
    for (int k = 1; k < length; ++k) {
      const unsigned char next = bytes[i + k];
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[length] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    if (cp < 0xA0) {  // C1 controls
      AppendU16(cp, out);
    } else if (!EscapedAbove9F(cp)) {
      out.append(text, i, length);
    } else if (cp < 0x10000) {
      AppendU16(cp, out);
    } else {
      AppendU16(0xD800 + ((cp - 0x10000) >> 10), out);
      AppendU16(0xDC00 + ((cp - 0x10000) & 0x3FF), out);
    }
    i += length;
  }
  out.push_back('"');
  return true;
}

void AppendDouble(double value, std::string& out) {
  if (std::isnan(value)) {
    out.append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  if (std::strtod(buffer, nullptr) != value) std::snprintf(buffer, sizeof buffer, "%.17g", value);
  out.append(buffer);
}

void AppendFloat(float value, std::string& out) {
  if (std::isnan(value) || std::isinf(value)) return AppendDouble(value, out);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", static_cast<double>(value));
  if (std::strtof(buffer, nullptr) != value) {
    std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(value));
  }
  out.append(buffer);
}

// ".5" → ".500": 3, 6 or 9 digits, nothing for 0 (protobuf's FormatNanos).
void AppendNanos(int32_t nanos, std::string& out) {
  if (nanos == 0) return;
  char buffer[16];
  if (nanos % 1000000 == 0) {
    std::snprintf(buffer, sizeof buffer, ".%03d", nanos / 1000000);
  } else if (nanos % 1000 == 0) {
    std::snprintf(buffer, sizeof buffer, ".%06d", nanos / 1000);
  } else {
    std::snprintf(buffer, sizeof buffer, ".%09d", nanos);
  }
  out.append(buffer);
}

bool AppendTimestamp(int64_t seconds, int32_t nanos, std::string& out) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (seconds < kMinSeconds || seconds > kMaxSeconds || nanos < 0 || nanos > 999999999) {
    return false;
  }
  // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, proleptic Gregorian).
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "\"%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(year),
                static_cast<int>(month), static_cast<int>(day), static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  out.append(buffer);
  AppendNanos(nanos, out);
  out.append("Z\"");
  return true;
}

bool AppendDuration(int64_t seconds, int32_t nanos, std::string& out) {
  constexpr int64_t kMaxSeconds = 315576000000;
  if (seconds < -kMaxSeconds || seconds > kMaxSeconds || nanos <= -1000000000 ||
      nanos >= 1000000000 || (seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0)) {
    return false;
  }
  out.push_back('"');
  if (seconds < 0 || nanos < 0) out.push_back('-');
  absl::StrAppend(&out, seconds < 0 ? -seconds : seconds);
  AppendNanos(nanos < 0 ? -nanos : nanos, out);
  out.append("s\"");
  return true;
}

// A FieldMask path in lowerCamelCase; false unless it is lower_snake_case ("a.b_c" → "a.bC").
bool AppendCamelPath(const std::string& path, std::string& out) {
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '_') {
      if (i + 1 == path.size() || path[i + 1] < 'a' || path[i + 1] > 'z') return false;
      out.push_back(static_cast<char>(path[++i] - 'a' + 'A'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') {
      out.push_back(c);
    } else {
      return false;
    }
  }
  return true;
}

class Printer {
 public:
  explicit Printer(std::string& out) : out_(out) {}

  bool Object(const Message& message) {
    const Descriptor* type = message.GetDescriptor();
    const Reflection* reflection = message.GetReflection();
    out_.push_back('{');
    bool first = true;
    // What the converter appends after the fields it laid out in advance.
    absl::InlinedVector<const FieldDescriptor*, 8> after;
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->is_map()) return false;
      if (field->is_repeated()) {
        Name(field, first);
        out_.push_back('[');
        const int count = reflection->FieldSize(message, field);
        for (int j = 0; j < count; ++j) {
          if (j > 0) out_.push_back(',');
          if (!Value(message, field, j)) return false;
        }
        out_.push_back(']');
        continue;
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (!reflection->HasField(message, field)) continue;
        if (KindOf(field->message_type()) != Kind::kObject) {
          after.push_back(field);
          continue;
        }
      } else if (field->containing_oneof() != nullptr) {
        if (reflection->HasField(message, field)) after.push_back(field);
        continue;
      }
      Name(field, first);
      if (!Value(message, field, -1)) return false;
    }
    std::sort(after.begin(), after.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
      return a->number() < b->number();
    });
    for (const FieldDescriptor* field : after) {
      Name(field, first);
      if (!Value(message, field, -1)) return false;
    }
    out_.push_back('}');
    return true;
  }

 private:
  void Name(const FieldDescriptor* field, bool& first) {
    if (!first) out_.push_back(',');
    first = false;
    out_.push_back('"');
    out_.append(field->json_name());
    out_.append("\":");
  }

  // The value of `field` (element `index` of a repeated field, -1 for a singular one).
  bool Value(const Message& message, const FieldDescriptor* field, int index) {
    const Reflection* r = message.GetReflection();
    const bool repeated = index >= 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        absl::StrAppend(&out_, repeated ? r->GetRepeatedInt32(message, field, index)
                                        : r->GetInt32(message, field));
        return true;
      case FieldDescriptor::CPPTYPE_UINT32:
        absl::StrAppend(&out_, repeated ? r->GetRepeatedUInt32(message, field, index)
                                        : r->GetUInt32(message, field));
        return true;
      case FieldDescriptor::CPPTYPE_INT64:
        absl::StrAppend(
            &out_, "\"",
            repeated ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field),
            "\"");
        return true;
      case FieldDescriptor::CPPTYPE_UINT64:
        absl::StrAppend(
            &out_, "\"",
            repeated ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field),
            "\"");
        return true;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendDouble(
            repeated ? r->GetRepeatedDouble(message, field, index) : r->GetDouble(message, field),
            out_);
        return true;
      case FieldDescriptor::CPPTYPE_FLOAT:
        AppendFloat(
            repeated ? r->GetRepeatedFloat(message, field, index) : r->GetFloat(message, field),
            out_);
        return true;
      case FieldDescriptor::CPPTYPE_BOOL:
        out_.append(
            (repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field))
                ? "true"
                : "false");
        return true;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int number = repeated ? r->GetRepeatedEnumValue(message, field, index)
                                    : r->GetEnumValue(message, field);
        const auto* value = field->enum_type()->FindValueByNumber(number);
        if (value == nullptr) {
          absl::StrAppend(&out_, number);
        } else {
          out_.push_back('"');
          out_.append(value->name());
          out_.push_back('"');
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& text =
            repeated ? r->GetRepeatedStringReference(message, field, index, &scratch)
                     : r->GetStringReference(message, field, &scratch);
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          absl::StrAppend(&out_, "\"", absl::Base64Escape(text), "\"");
          return true;
        }
        return AppendString(text, out_);
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const Message& nested =
            repeated ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field);
        return Nested(nested);
      }
    }
    return false;
  }

  // A message value: an object, or the one JSON value of a well-known type.
  bool Nested(const Message& message) {
    const Descriptor* type = message.GetDescriptor();
    const Reflection* r = message.GetReflection();
    switch (KindOf(type)) {
      case Kind::kObject:
        return Object(message);
      case Kind::kTimestamp:
        return AppendTimestamp(r->GetInt64(message, type->field(0)),
                               r->GetInt32(message, type->field(1)), out_);
      case Kind::kDuration:
        return AppendDuration(r->GetInt64(message, type->field(0)),
                              r->GetInt32(message, type->field(1)), out_);
      case Kind::kFieldMask: {
        const FieldDescriptor* paths = type->field(0);
        out_.push_back('"');
        for (int i = 0; i < r->FieldSize(message, paths); ++i) {
          if (i > 0) out_.push_back(',');
          std::string scratch;
          if (!AppendCamelPath(r->GetRepeatedStringReference(message, paths, i, &scratch), out_)) {
            return false;
          }
        }
        out_.push_back('"');
        return true;
      }
      case Kind::kWrapper:
        return Value(message, type->field(0), -1);
      case Kind::kDeclined:
        return false;
    }
    return false;
  }

  std::string& out_;
};

}  // namespace

bool PrintProto3Json(const Message& message, std::string& out) {
  const Descriptor* type = message.GetDescriptor();
  if (KindOf(type) != Kind::kObject || !Printable(type)) return false;
  return Printer(out).Object(message);
}

}  // namespace maillage::gateway
