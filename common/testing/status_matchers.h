// GoogleTest matchers for statuses, so that a failed assertion prints the status it got:
//
//   ASSERT_THAT(store.Insert(actor), IsOk());
//   EXPECT_THAT(registry.Get("actors/9"), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(stub->GetActor(&context, request, &actor), StatusIs(grpc::StatusCode::NOT_FOUND));
//
// Both take an absl::Status, an absl::StatusOr<T>, a grpc::Status or protobuf's util::Status, and
// StatusIs takes either code enum (their values are the same, google/rpc/code.proto). On failure
// the message reads "whose status is NOT_FOUND: actor 9 does not exist" instead of "Value of:
// s.ok() Actual: false".
#pragma once

#include <gmock/gmock.h>
#include <google/protobuf/stubs/status.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace maillage::testing {
namespace status_matchers_internal {

inline const absl::Status& ToStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& ToStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}
inline absl::Status ToStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// protobuf 3.21's own status (google::protobuf::util::JsonStringToMessage and friends).
inline absl::Status ToStatus(const google::protobuf::util::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace status_matchers_internal

// Matches an OK status (or a StatusOr holding a value).
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status status = status_matchers_internal::ToStatus(arg);
  if (!status.ok()) *result_listener << "whose status is " << status;
  return status.ok();
}

// Matches a status whose code is `code` (an absl::StatusCode or a grpc::StatusCode).
MATCHER_P(StatusIs, code,
          (negation ? "has a code other than " : "has code ") +
              absl::StatusCodeToString(static_cast<absl::StatusCode>(code))) {
  const absl::Status status = status_matchers_internal::ToStatus(arg);
  *result_listener << "whose status is " << (status.ok() ? "OK" : status.ToString());
  return static_cast<int>(status.code()) == static_cast<int>(code);
}

}  // namespace maillage::testing
