// Invalid UTF-8 in string fields (see utf8_fields.h).
#include "common/server/utf8_fields.h"

#include <deque>
#include <mutex>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/csv/csv_reader.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/stubs/logging.h"

namespace maillage::server {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsText(const FieldDescriptor& field) { return field.type() == FieldDescriptor::TYPE_STRING; }

std::string Walk(const Message& message, const std::string& prefix) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);  // set fields, by number
  for (const FieldDescriptor* field : fields) {
    std::string path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->is_map()) {
      const FieldDescriptor* key = field->message_type()->map_key();
      const FieldDescriptor* value = field->message_type()->map_value();
      int size = reflection.FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        const Message& entry = reflection.GetRepeatedMessage(message, field, i);
        const Reflection& entry_reflection = *entry.GetReflection();
        std::string key_text = key->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                                   ? entry_reflection.GetString(entry, key)
                                   : "";
        if (IsText(*key) && !csv::IsValidUtf8(key_text)) return path;
        std::string entry_path = key->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                                     ? absl::StrCat(path, "[\"", key_text, "\"]")
                                     : absl::StrCat(path, "[", i, "]");
        if (IsText(*value) && !csv::IsValidUtf8(entry_reflection.GetString(entry, value))) {
          return entry_path;
        }
        if (value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          std::string found = Walk(entry_reflection.GetMessage(entry, value), entry_path);
          if (!found.empty()) return found;
        }
      }
    } else if (field->is_repeated()) {
      int size = reflection.FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        std::string item = absl::StrCat(path, "[", i, "]");
        if (IsText(*field) && !csv::IsValidUtf8(reflection.GetRepeatedString(message, field, i))) {
          return item;
        }
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          std::string found = Walk(reflection.GetRepeatedMessage(message, field, i), item);
          if (!found.empty()) return found;
        }
      }
    } else if (IsText(*field)) {
      if (!csv::IsValidUtf8(reflection.GetString(message, field))) return path;
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      std::string found = Walk(reflection.GetMessage(message, field), path);
      if (!found.empty()) return found;
    }
  }
  return "";
}

thread_local std::string t_utf8_field;
google::protobuf::LogHandler* g_previous_handler = nullptr;

// Protobuf 3.21 logs, before failing the parse:
//   String field 'pkg.Message.field' contains invalid UTF-8 data when parsing a protocol
//   buffer. Use the 'bytes' type if you intend to send raw bytes.
void Handler(google::protobuf::LogLevel level, const char* filename, int line,
             const std::string& message) {
  constexpr absl::string_view kHead = "String field '";
  absl::string_view text = message;
  if (text.find("invalid UTF-8 data when parsing") != absl::string_view::npos) {
    size_t start = text.find(kHead);
    size_t end = start == absl::string_view::npos ? start : text.find('\'', start + kHead.size());
    if (end != absl::string_view::npos) {
      t_utf8_field = std::string(text.substr(start + kHead.size(), end - start - kHead.size()));
    }
  }
  if (g_previous_handler != nullptr) g_previous_handler(level, filename, line, message);
}

}  // namespace

std::string FindInvalidUtf8Field(const Message& message) { return Walk(message, ""); }

void CaptureUtf8ParseErrors() {
  static std::once_flag once;
  std::call_once(once, [] { g_previous_handler = google::protobuf::SetLogHandler(&Handler); });
}

std::string TakeUtf8ParseErrorField() { return std::exchange(t_utf8_field, std::string()); }

std::string FieldPathTo(const Descriptor* root, absl::string_view field_full_name) {
  if (root != nullptr) {
    std::deque<std::pair<const Descriptor*, std::string>> queue{{root, ""}};
    std::set<const Descriptor*> seen{root};
    while (!queue.empty()) {
      auto [type, prefix] = queue.front();
      queue.pop_front();
      for (int i = 0; i < type->field_count(); ++i) {
        const FieldDescriptor* field = type->field(i);
        // The key and value of a map entry are named by the map field itself.
        std::string path = type->options().map_entry() ? prefix
                           : prefix.empty()            ? field->name()
                                                       : absl::StrCat(prefix, ".", field->name());
        if (field->full_name() == field_full_name) return path;
        const Descriptor* child = field->message_type();
        if (child != nullptr && seen.insert(child).second) queue.emplace_back(child, path);
      }
    }
  }
  return "";
}

}  // namespace maillage::server
