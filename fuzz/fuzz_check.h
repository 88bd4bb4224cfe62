// Assertions of the fuzz targets: a broken property aborts, which libFuzzer reports as a crash
// with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"

#define MAILLAGE_FUZZ_CHECK(condition, what)                                                    \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "%s:%d: property broken: %s (%s)\n", __FILE__, __LINE__, #condition, \
                   std::string(what).c_str());                                                  \
      std::abort();                                                                             \
    }                                                                                           \
  } while (false)

namespace maillage::fuzz {

// A refusal must be INVALID_ARGUMENT with a BadRequest naming at least one field, and the
// first field must start with `field_prefix` ("" accepts any named field).
inline void CheckRefusalNamesField(const absl::Status& status, absl::string_view field_prefix) {
  MAILLAGE_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, status.ToString());
  auto bad_request = GetBadRequest(status);
  MAILLAGE_FUZZ_CHECK(bad_request.has_value() && bad_request->field_violations_size() > 0,
                      status.ToString());
  const std::string& field = bad_request->field_violations(0).field();
  MAILLAGE_FUZZ_CHECK(!field.empty() && absl::StartsWith(field, field_prefix), status.ToString());
}

}  // namespace maillage::fuzz
