// PrintProto3Json against protobuf's own printer (MessageToJsonString with
// always_print_primitive_fields, what the gateway answered with before): the same bytes for
// every message type of the contracts filled at random, for a type made here with what the
// contracts do not use yet (oneofs, wrappers, floats, unsigned and 64-bit fields, bytes,
// repeated Timestamps, Empty, unknown enum numbers), and for every string that protobuf escapes.
#include "services/gateway/routing/json_printer.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/empty.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "maillage/budget/v1/budget_service.pb.h"
#include "maillage/directory/v1/directory_service.pb.h"
#include "maillage/gateway/v1/gateway_admin_service.pb.h"
#include "maillage/gateway/v1/report_service.pb.h"
#include "maillage/gateway/v1/webhook_service.pb.h"
#include "maillage/meetings/v1/meetings_service.pb.h"
#include "maillage/testing/v1/transcoding.pb.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Reference(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &out, options).ok());
  return out;
}

// Strings protobuf escapes, and some it does not.
const std::vector<std::string>& Strings() {
  static const auto* const kStrings = new std::vector<std::string>{
      "",
      "actors/42",
      "Économie sociale et solidaire à Dijon",
      "quote \" backslash \\ slash / lt < gt > amp &",
      std::string("controls \b\f\n\r\t \x01\x1f\x7f end", 27),
      std::string("nul \0 inside", 12),
      "C1 \xc2\x80 \xc2\x85 \xc2\x9f, nbsp \xc2\xa0, soft hyphen \xc2\xad",
      "arabic \xd8\x80 \xdb\x9d syriac \xdc\x8f khmer \xe1\x9e\xb4",
      "zero width \xe2\x80\x8b \xe2\x80\x8f, separators \xe2\x80\xa8 \xe2\x80\xa9 \xe2\x80\xae",
      "invisible \xe2\x81\xa0 \xe2\x81\xaa, bom \xef\xbb\xbf, \xef\xbf\xb9 \xef\xbf\xbb",
      "emoji \xf0\x9f\x98\x80, music \xf0\x9d\x85\xb3, tags \xf3\xa0\x80\x81 \xf3\xa0\x81\xbf",
      "euro \xe2\x82\xac, cjk \xe4\xb8\xad\xe6\x96\x87",
  };
  return *kStrings;
}

class Filler {
 public:
  explicit Filler(uint32_t seed) : random_(seed) {}

  void Fill(Message& message, int depth) {
    const Descriptor* type = message.GetDescriptor();
    const Reflection* r = message.GetReflection();
    const std::string& name = type->full_name();
    if (name == "google.protobuf.Timestamp") {
      static const int32_t kNanos[] = {0, 500000000, 123000, 123456789, 1000000, 999999999};
      r->SetInt64(
          &message, type->field(0),
          Pick<int64_t>({0, 1, -1, 1765000000, -62135596800, 253402300799, 951782400, -86401}));
      r->SetInt32(&message, type->field(1), kNanos[Below(6)]);
      return;
    }
    if (name == "google.protobuf.Duration") {
      const int64_t seconds = Pick<int64_t>({0, 1, 90, 315576000000, 3600});
      const int32_t nanos = Pick<int32_t>({0, 500000000, 1000, 7});
      const bool negative = Below(2) == 0;
      r->SetInt64(&message, type->field(0), negative ? -seconds : seconds);
      r->SetInt32(&message, type->field(1), negative ? -nanos : nanos);
      return;
    }
    if (name == "google.protobuf.FieldMask") {
      for (int i = Below(3); i > 0; --i) {
        r->AddString(&message, type->field(0),
                     Pick<std::string>({"display_name", "a.b_c", "name", "line2_amount"}));
      }
      return;
    }
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->is_map()) continue;
      if (field->is_repeated()) {
        for (int n = Below(3); n > 0; --n) Add(message, field, depth);
      } else if (Below(10) < 7) {
        Set(message, field, depth);
      }
    }
  }

 private:
  int Below(int n) { return static_cast<int>(random_() % static_cast<uint32_t>(n)); }
  template <class T>
  T Pick(std::initializer_list<T> values) {
    return *(values.begin() + Below(static_cast<int>(values.size())));
  }
  double Double() {
    return Pick<double>({0.0, -0.0, 0.1, 1.0 / 3, 1e300, -2.5e-300, 42.0, 1e21, 123456789.125,
                         std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity()});
  }
  float Float() {
    return Pick<float>({0.0f, 0.1f, 1.0f / 3, 3.4e38f, -1.5e-30f, 16777217.0f, 42.0f,
                        std::numeric_limits<float>::infinity()});
  }
  int Enum(const FieldDescriptor* field) {
    const auto* type = field->enum_type();
    if (Below(8) == 0) return 1000 + Below(5);  // unknown to this build
    return type->value(Below(type->value_count()))->number();
  }
  std::string Bytes() {
    std::string bytes(static_cast<size_t>(Below(7)), '\0');
    for (char& c : bytes) c = static_cast<char>(random_());
    return bytes;
  }

  void Set(Message& message, const FieldDescriptor* field, int depth) {
    const Reflection* r = message.GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->SetInt32(&message, field, Pick<int32_t>({0, 1, -1, 2147483647, -2147483647 - 1}));
      case FieldDescriptor::CPPTYPE_INT64:
        return r->SetInt64(&message, field,
                           Pick<int64_t>({0, 7, -7, std::numeric_limits<int64_t>::max(),
                                          std::numeric_limits<int64_t>::min()}));
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->SetUInt32(&message, field, Pick<uint32_t>({0, 1, 4294967295u}));
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->SetUInt64(&message, field,
                            Pick<uint64_t>({0, 1, std::numeric_limits<uint64_t>::max()}));
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->SetDouble(&message, field, Double());
      case FieldDescriptor::CPPTYPE_FLOAT:
        return r->SetFloat(&message, field, Float());
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->SetBool(&message, field, Below(2) == 0);
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->SetEnumValue(&message, field, Enum(field));
      case FieldDescriptor::CPPTYPE_STRING:
        return r->SetString(&message, field,
                            field->type() == FieldDescriptor::TYPE_BYTES
                                ? Bytes()
                                : Strings()[Below(static_cast<int>(Strings().size()))]);
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 3) Fill(*r->MutableMessage(&message, field), depth + 1);
        return;
    }
  }

  void Add(Message& message, const FieldDescriptor* field, int depth) {
    const Reflection* r = message.GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->AddInt32(&message, field, Pick<int32_t>({0, 5, -5}));
      case FieldDescriptor::CPPTYPE_INT64:
        return r->AddInt64(&message, field, Pick<int64_t>({0, 5, -5}));
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->AddUInt32(&message, field, 3);
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->AddUInt64(&message, field, 3);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->AddDouble(&message, field, Double());
      case FieldDescriptor::CPPTYPE_FLOAT:
        return r->AddFloat(&message, field, Float());
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->AddBool(&message, field, Below(2) == 0);
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->AddEnumValue(&message, field, Enum(field));
      case FieldDescriptor::CPPTYPE_STRING:
        return r->AddString(&message, field,
                            field->type() == FieldDescriptor::TYPE_BYTES
                                ? Bytes()
                                : Strings()[Below(static_cast<int>(Strings().size()))]);
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 3) Fill(*r->AddMessage(&message, field), depth + 1);
        return;
    }
  }

  std::mt19937 random_;
};

// Whether `type` reaches a map field or an Any, Struct, Value or ListValue (google.api.HttpBody
// has Any extensions), which PrintProto3Json leaves to protobuf.
bool Declined(const Descriptor* type, std::vector<const Descriptor*>& seen) {
  if (std::find(seen.begin(), seen.end(), type) != seen.end()) return false;
  seen.push_back(type);
  for (const char* name : {"google.protobuf.Any", "google.protobuf.Struct", "google.protobuf.Value",
                           "google.protobuf.ListValue"}) {
    if (type->full_name() == name) return true;
  }
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->is_map()) return true;
    if (field->message_type() != nullptr && Declined(field->message_type(), seen)) return true;
  }
  return false;
}

// Fills `prototype`'s type `rounds` times and compares both printers.
void ExpectSameAsProtobuf(const Message& prototype, int rounds) {
  std::vector<const Descriptor*> seen;
  const bool declined = Declined(prototype.GetDescriptor(), seen);
  for (int round = 0; round < rounds; ++round) {
    std::unique_ptr<Message> message(prototype.New());
    Filler(static_cast<uint32_t>(round)).Fill(*message, 0);
    std::string ours;
    const bool printed = PrintProto3Json(*message, ours);
    if (declined) {
      EXPECT_FALSE(printed) << prototype.GetDescriptor()->full_name() << " reaches a map or Any";
      return;
    }
    ASSERT_TRUE(printed) << prototype.GetDescriptor()->full_name() << " round " << round;
    ASSERT_EQ(ours, Reference(*message))
        << prototype.GetDescriptor()->full_name() << " round " << round;
  }
}

TEST(JsonPrinterTest, EveryMessageOfTheContractsPrintsAsProtobufPrintsIt) {
  // Referenced so that their files are linked in.
  directory::v1::GetActorRequest::descriptor();
  meetings::v1::GetMeetingRequest::descriptor();
  budget::v1::GetBudgetRequest::descriptor();
  v1::GetActionReportRequest::descriptor();
  v1::GetApiKeyRequest::descriptor();
  v1::GetWebhookSubscriptionRequest::descriptor();
  testing::v1::Book::descriptor();
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  int types = 0;
  for (const std::string& name : files) {
    if (name.rfind("maillage/", 0) != 0) continue;
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    ASSERT_NE(file, nullptr) << name;
    std::vector<const Descriptor*> pending;
    for (int i = 0; i < file->message_type_count(); ++i) pending.push_back(file->message_type(i));
    while (!pending.empty()) {
      const Descriptor* type = pending.back();
      pending.pop_back();
      for (int i = 0; i < type->nested_type_count(); ++i) {
        if (!type->nested_type(i)->options().map_entry()) pending.push_back(type->nested_type(i));
      }
      const Message* prototype =
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
      ASSERT_NE(prototype, nullptr) << type->full_name();
      ExpectSameAsProtobuf(*prototype, 40);
      ++types;
    }
  }
  EXPECT_GT(types, 150);
}

// What the contracts do not have yet: oneofs of every kind, wrappers, floats, unsigned and
// fixed fields, bytes, repeated Timestamps and Durations, Empty.
constexpr char kKitchenSink[] = R"pb(
  name: "maillage/testing/json_printer_test.proto"
  package: "maillage.testing.json"
  syntax: "proto3"
  dependency: "google/protobuf/timestamp.proto"
  dependency: "google/protobuf/duration.proto"
  dependency: "google/protobuf/field_mask.proto"
  dependency: "google/protobuf/wrappers.proto"
  dependency: "google/protobuf/empty.proto"
  enum_type {
    name: "Colour"
    value { name: "COLOUR_UNSPECIFIED" number: 0 }
    value { name: "COLOUR_RED" number: 1 }
  }
  message_type {
    name: "Inner"
    field {
      name: "label_text"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_STRING
      json_name: "labelText"
    }
    field {
      name: "when"
      number: 1
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
      json_name: "when"
    }
  }
  message_type {
    name: "Sink"
    field { name: "f_float" number: 3 label: LABEL_OPTIONAL type: TYPE_FLOAT json_name: "fFloat" }
    field {
      name: "f_uint64"
      number: 1
      label: LABEL_OPTIONAL
      type: TYPE_UINT64
      json_name: "fUint64"
    }
    field {
      name: "f_fixed32"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_FIXED32
      json_name: "fFixed32"
    }
    field {
      name: "f_sint64"
      number: 4
      label: LABEL_OPTIONAL
      type: TYPE_SINT64
      json_name: "fSint64"
    }
    field { name: "f_bytes" number: 5 label: LABEL_OPTIONAL type: TYPE_BYTES json_name: "fBytes" }
    field {
      name: "choice_text"
      number: 6
      label: LABEL_OPTIONAL
      type: TYPE_STRING
      oneof_index: 0
      json_name: "choiceText"
    }
    field {
      name: "choice_inner"
      number: 7
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".maillage.testing.json.Inner"
      oneof_index: 0
      json_name: "choiceInner"
    }
    field {
      name: "choice_when"
      number: 8
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
      oneof_index: 0
      json_name: "choiceWhen"
    }
    field {
      name: "colour"
      number: 9
      label: LABEL_OPTIONAL
      type: TYPE_ENUM
      type_name: ".maillage.testing.json.Colour"
      json_name: "colour"
    }
    field {
      name: "colours"
      number: 10
      label: LABEL_REPEATED
      type: TYPE_ENUM
      type_name: ".maillage.testing.json.Colour"
      json_name: "colours"
    }
    field {
      name: "times"
      number: 11
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
      json_name: "times"
    }
    field {
      name: "waits"
      number: 12
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Duration"
      json_name: "waits"
    }
    field {
      name: "mask"
      number: 13
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.FieldMask"
      json_name: "mask"
    }
    field {
      name: "count"
      number: 14
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Int64Value"
      json_name: "count"
    }
    field {
      name: "ratio"
      number: 15
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.FloatValue"
      json_name: "ratio"
    }
    field {
      name: "flag"
      number: 16
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.BoolValue"
      json_name: "flag"
    }
    field {
      name: "note"
      number: 17
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.StringValue"
      json_name: "note"
    }
    field {
      name: "blob"
      number: 18
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.BytesValue"
      json_name: "blob"
    }
    field {
      name: "nothing"
      number: 19
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Empty"
      json_name: "nothing"
    }
    field {
      name: "inners"
      number: 20
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".maillage.testing.json.Inner"
      json_name: "inners"
    }
    field {
      name: "maybe"
      number: 21
      label: LABEL_OPTIONAL
      type: TYPE_INT32
      oneof_index: 1
      proto3_optional: true
      json_name: "maybe"
    }
    field {
      name: "u32"
      number: 22
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.UInt32Value"
      json_name: "u32"
    }
    field {
      name: "custom"
      number: 23
      label: LABEL_OPTIONAL
      type: TYPE_STRING
      json_name: "customName"
    }
    field {
      name: "wait"
      number: 24
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Duration"
      json_name: "wait"
    }
    field {
      name: "doubles"
      number: 25
      label: LABEL_REPEATED
      type: TYPE_DOUBLE
      json_name: "doubles"
    }
    oneof_decl { name: "choice" }
    oneof_decl { name: "_maybe" }
  }
)pb";

TEST(JsonPrinterTest, OneofsWrappersAndOtherKindsPrintAsProtobufPrintsThem) {
  // The well-known files in the generated pool, then a pool of the test's own above them.
  google::protobuf::Timestamp::descriptor();
  google::protobuf::Duration::descriptor();
  google::protobuf::FieldMask::descriptor();
  google::protobuf::Int64Value::descriptor();
  google::protobuf::Empty::descriptor();
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kKitchenSink, &file));
  google::protobuf::DescriptorPool pool(google::protobuf::DescriptorPool::generated_pool());
  ASSERT_NE(pool.BuildFile(file), nullptr);
  google::protobuf::DynamicMessageFactory factory(&pool);
  const Message* sink =
      factory.GetPrototype(pool.FindMessageTypeByName("maillage.testing.json.Sink"));
  ASSERT_NE(sink, nullptr);
  ExpectSameAsProtobuf(*sink, 400);
}

TEST(JsonPrinterTest, DeclinesWhatItLeavesToProtobuf) {
  testing::v1::ListBooksRequest with_map;  // map<string, string> labels
  std::string out;
  EXPECT_FALSE(PrintProto3Json(with_map, out));
  google::protobuf::Timestamp alone;  // a well-known type at the top: not an object
  EXPECT_FALSE(PrintProto3Json(alone, out));

  testing::v1::Book book;
  book.set_title("bad \xff UTF-8");
  EXPECT_FALSE(PrintProto3Json(book, out));
  book.set_title("fine");
  book.mutable_publish_time()->set_seconds(253402300800);  // year 10000
  EXPECT_FALSE(PrintProto3Json(book, out));
  book.mutable_publish_time()->set_seconds(0);
  std::string printed;
  ASSERT_TRUE(PrintProto3Json(book, printed));
  EXPECT_EQ(printed, Reference(book));
}

}  // namespace
}  // namespace maillage::gateway
