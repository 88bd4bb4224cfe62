// proto3 JSON of a response message, printed straight from the message by reflection: the same
// bytes as protobuf 3.21's MessageToJsonString with always_print_primitive_fields (what the
// gateway answered with before), at a fraction of its cost. protobuf's printer serialises the
// message, parses it again into a tree of nodes (one allocation per field, defaults included)
// and writes the tree: a quarter of the gateway's CPU per GET (issue #14's profile).
//
//   std::string json;
//   if (!PrintProto3Json(message, json)) json = ...protobuf's printer...;
//
// The output follows protobuf 3.21's converter exactly, quirks included (json_printer_test
// compares the two on every response type of the contracts, filled at random):
//   - lowerCamelCase names (json_name), no whitespace;
//   - fields in declaration order, every primitive and repeated field printed (defaults, []),
//     a message field only when set; then, in field-number order, the set fields that the
//     converter appends after the others: primitive members of a oneof (proto3 `optional`
//     included) and Timestamp, Duration, FieldMask and wrapper fields;
//   - int64/uint64 quoted, enums by name (a number when unknown), bytes in base64, doubles in
//     the shortest of %.15g / %.17g that reads back ("NaN", "Infinity" quoted), floats %.6g /
//     %.9g; strings escaped as protobuf escapes them (", \, <, >, controls, U+2028...);
//   - Timestamp RFC 3339 with 0, 3, 6 or 9 fractional digits and Z, Duration "1.500s",
//     FieldMask paths in lowerCamelCase joined by commas.
// It declines (returns false, `out` then unspecified) what it leaves to protobuf's printer: map
// fields, Any, Struct, Value, ListValue, proto2 messages, a string that is not valid UTF-8, a
// Timestamp or Duration out of range, a FieldMask path that is not lower_snake_case.
#pragma once

#include <string>

#include "google/protobuf/message.h"

namespace maillage::gateway {

// Appends `message` as proto3 JSON (see above) to `out`; false when it declines.
bool PrintProto3Json(const google::protobuf::Message& message, std::string& out);

}  // namespace maillage::gateway
